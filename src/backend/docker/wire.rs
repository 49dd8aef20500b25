//! A minimal HTTP/1.1 client over the daemon's socket, for the Engine API endpoints whose
//! answers are streams: JSON message streams (`/images/create`, `/images/load`), the
//! hijacked attach connection and `/containers/{id}/wait`.
//!
//! bollard exposes those answers only as `futures_core::Stream`s, which this crate cannot
//! poll without depending on the futures crates; the request-response calls go through
//! bollard itself. Owns nothing but sockets; uses no other part of the crate.

use serde::de::DeserializeOwned;
use std::io;
use std::path::PathBuf;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

/// Where the daemon listens.
#[derive(Debug, Clone)]
pub(super) enum Endpoint {
    Unix(PathBuf),
    /// `host:port`
    Tcp(String),
}

trait Conn: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Conn for T {}

/// How the body of a response is delimited.
#[derive(Debug, Clone, Copy)]
enum Framing {
    /// `Transfer-Encoding: chunked`; `left` bytes remain in the current chunk.
    Chunked {
        left: u64,
        done: bool,
    },
    Length(u64),
    /// Until the daemon closes the connection (also a hijacked, upgraded connection).
    UntilClose,
}

/// A response whose body has not been read yet.
pub(super) struct Response {
    pub status: u16,
    headers: Vec<(String, String)>,
    reader: BufReader<Box<dyn Conn>>,
    framing: Framing,
    /// Bytes read from the body but not yet consumed by [`Response::next_json`].
    pending: Vec<u8>,
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// Percent-encodes a query value or path segment (everything but RFC 3986 unreserved).
pub(super) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `?a=b&c=d`, values percent-encoded; empty when there are no pairs.
pub(super) fn query(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (key, value)) in pairs.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(key);
        out.push('=');
        out.push_str(&encode(value));
    }
    out
}

impl Endpoint {
    async fn connect(&self) -> io::Result<Box<dyn Conn>> {
        Ok(match self {
            #[cfg(unix)]
            Endpoint::Unix(path) => Box::new(tokio::net::UnixStream::connect(path).await?),
            #[cfg(not(unix))]
            Endpoint::Unix(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "unix sockets are not available on this platform",
                ));
            }
            Endpoint::Tcp(address) => Box::new(tokio::net::TcpStream::connect(address).await?),
        })
    }

    /// Sends one request on a fresh connection and reads the status line and headers.
    /// `path` already carries the API version prefix and the query.
    pub(super) async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<Response> {
        let conn = self.write_request(method, path, headers, body).await?;
        read_head(conn, method).await
    }

    /// Sends a bodiless request whose answer is read later: the daemon may hold back
    /// even the status line until the awaited event (`/wait` on Docker 20.10).
    pub(super) async fn send_deferred(&self, method: &str, path: &str) -> io::Result<Deferred> {
        let conn = self.write_request(method, path, &[], b"").await?;
        Ok(Deferred {
            conn: Some(conn),
            method: method.to_string(),
        })
    }

    async fn write_request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<Box<dyn Conn>> {
        let mut conn = self.connect().await?;
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: docker\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        conn.write_all(head.as_bytes()).await?;
        conn.write_all(body).await?;
        conn.flush().await?;
        Ok(conn)
    }
}

/// A request sent, its answer not read yet.
pub(super) struct Deferred {
    conn: Option<Box<dyn Conn>>,
    method: String,
}

impl Deferred {
    /// Waits for the status line and headers.
    pub(super) async fn response(&mut self) -> io::Result<Response> {
        let conn = self
            .conn
            .take()
            .ok_or_else(|| invalid("the answer was already taken"))?;
        read_head(conn, &self.method).await
    }
}

async fn read_head(conn: Box<dyn Conn>, method: &str) -> io::Result<Response> {
    let mut reader = BufReader::new(conn);
    let mut line = String::new();
    if reader.read_line(&mut line).await? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the daemon closed the connection without answering",
        ));
    }
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| invalid(format!("malformed status line: {}", line.trim_end())))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the daemon closed the connection inside the response headers",
            ));
        }
        let trimmed = line.trim_end_matches(['\r', '\n']);
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let framing = if status == 101 {
        Framing::UntilClose
    } else if status == 204 || status == 304 || method == "HEAD" {
        Framing::Length(0)
    } else if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        Framing::Chunked {
            left: 0,
            done: false,
        }
    } else if let Some(length) = header("content-length") {
        Framing::Length(
            length
                .parse()
                .map_err(|_| invalid(format!("malformed Content-Length: {length}")))?,
        )
    } else {
        Framing::UntilClose
    };
    Ok(Response {
        status,
        headers,
        reader,
        framing,
        pending: Vec::new(),
    })
}

impl Response {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The connection's write half, for a hijacked (attached) connection's stdin.
    pub(super) async fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let conn = self.reader.get_mut();
        conn.write_all(bytes).await?;
        conn.flush().await
    }

    /// Closes the write half: a hijacked connection's stdin sees end of file.
    pub(super) async fn close_write(&mut self) -> io::Result<()> {
        self.reader.get_mut().shutdown().await
    }

    /// Reads some body bytes; 0 at the end of the body.
    pub(super) async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        match self.framing {
            Framing::UntilClose => self.reader.read(buf).await,
            Framing::Length(0) => Ok(0),
            Framing::Length(left) => {
                let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                let n = self.reader.read(&mut buf[..want]).await?;
                if n == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                self.framing = Framing::Length(left - n as u64);
                Ok(n)
            }
            Framing::Chunked { done: true, .. } => Ok(0),
            Framing::Chunked { mut left, .. } => {
                if left == 0 {
                    left = self.chunk_size().await?;
                    if left == 0 {
                        // Trailers, then the blank line that ends the body.
                        let mut line = String::new();
                        loop {
                            line.clear();
                            let n = self.reader.read_line(&mut line).await?;
                            if n == 0 || line.trim_end_matches(['\r', '\n']).is_empty() {
                                break;
                            }
                        }
                        self.framing = Framing::Chunked {
                            left: 0,
                            done: true,
                        };
                        return Ok(0);
                    }
                }
                let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                let n = self.reader.read(&mut buf[..want]).await?;
                if n == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                left -= n as u64;
                if left == 0 {
                    let mut crlf = String::new();
                    self.reader.read_line(&mut crlf).await?;
                }
                self.framing = Framing::Chunked { left, done: false };
                Ok(n)
            }
        }
    }

    async fn chunk_size(&mut self) -> io::Result<u64> {
        let mut line = String::new();
        if self.reader.read_line(&mut line).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let size = line.trim_end_matches(['\r', '\n']);
        let size = size.split(';').next().unwrap_or("").trim();
        u64::from_str_radix(size, 16).map_err(|_| invalid(format!("malformed chunk size: {size}")))
    }

    /// Fills `buf` completely; `Ok(false)` if the body ended before its first byte.
    pub(super) async fn read_exact_or_end(&mut self, buf: &mut [u8]) -> io::Result<bool> {
        let mut filled = 0;
        while filled < buf.len() {
            let n = self.read(&mut buf[filled..]).await?;
            if n == 0 {
                if filled == 0 {
                    return Ok(false);
                }
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            filled += n;
        }
        Ok(true)
    }

    /// The rest of the body.
    pub(super) async fn body(&mut self) -> io::Result<Vec<u8>> {
        let mut out = std::mem::take(&mut self.pending);
        let mut buf = [0u8; 8192];
        loop {
            let n = self.read(&mut buf).await?;
            if n == 0 {
                return Ok(out);
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    /// The next JSON value of a message stream (values separated by whitespace or not at
    /// all), as soon as its last byte has arrived; `None` at the end of the body.
    pub(super) async fn next_json<T: DeserializeOwned>(&mut self) -> io::Result<Option<T>> {
        let mut buf = [0u8; 8192];
        loop {
            let start = self
                .pending
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(self.pending.len());
            self.pending.drain(..start);
            if !self.pending.is_empty() {
                let mut values =
                    serde_json::Deserializer::from_slice(&self.pending).into_iter::<T>();
                match values.next() {
                    Some(Ok(value)) => {
                        let used = values.byte_offset();
                        self.pending.drain(..used);
                        return Ok(Some(value));
                    }
                    Some(Err(e)) if e.is_eof() => {}
                    Some(Err(e)) => return Err(invalid(format!("malformed message: {e}"))),
                    None => {}
                }
            }
            let n = self.read(&mut buf).await?;
            if n == 0 {
                if self.pending.is_empty() {
                    return Ok(None);
                }
                return Err(invalid("the message stream ended inside a message"));
            }
            self.pending.extend_from_slice(&buf[..n]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_query_values() {
        assert_eq!(
            query(&[("fromImage", "localhost:5000/a b"), ("tag", "1.0")]),
            "?fromImage=localhost%3A5000%2Fa%20b&tag=1.0"
        );
        assert_eq!(query(&[]), "");
    }
}
