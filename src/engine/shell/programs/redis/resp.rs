//! RESP2, the protocol redis speaks: replies as values, their encoding on the wire, and
//! the parsing of requests (arrays of bulk strings, or inline commands).

/// A reply as the server sends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    Status(String),
    Error(String),
    Int(i64),
    /// None: the nil bulk string.
    Bulk(Option<Vec<u8>>),
    Array(Vec<Reply>),
}

impl Reply {
    pub fn ok() -> Reply {
        Reply::Status("OK".into())
    }

    pub fn bulk(b: impl Into<Vec<u8>>) -> Reply {
        Reply::Bulk(Some(b.into()))
    }

    pub fn err(msg: impl Into<String>) -> Reply {
        Reply::Error(msg.into())
    }

    /// The reply's bytes on the wire.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Reply::Status(s) => {
                out.push(b'+');
                out.extend_from_slice(s.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            Reply::Error(s) => {
                out.push(b'-');
                out.extend_from_slice(s.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            Reply::Int(n) => out.extend_from_slice(format!(":{n}\r\n").as_bytes()),
            Reply::Bulk(None) => out.extend_from_slice(b"$-1\r\n"),
            Reply::Bulk(Some(b)) => {
                out.extend_from_slice(format!("${}\r\n", b.len()).as_bytes());
                out.extend_from_slice(b);
                out.extend_from_slice(b"\r\n");
            }
            Reply::Array(items) => {
                out.extend_from_slice(format!("*{}\r\n", items.len()).as_bytes());
                for i in items {
                    i.encode(out);
                }
            }
        }
    }
}

/// Reads one reply off `input`, as a client does; None when the stream ends first or
/// the bytes are not RESP2.
pub fn read_reply(input: &mut impl std::io::BufRead) -> Option<Reply> {
    read_reply_at(input, 0)
}

fn read_reply_at(input: &mut impl std::io::BufRead, depth: usize) -> Option<Reply> {
    if depth > 64 {
        return None;
    }
    let mut line = Vec::new();
    input.read_until(b'\n', &mut line).ok()?;
    let line = line.strip_suffix(b"\r\n")?;
    let (&kind, rest) = line.split_first()?;
    let text = String::from_utf8_lossy(rest).into_owned();
    match kind {
        b'+' => Some(Reply::Status(text)),
        b'-' => Some(Reply::Error(text)),
        b':' => text.parse().ok().map(Reply::Int),
        b'$' => {
            let len: i64 = text.parse().ok()?;
            if len < 0 {
                return Some(Reply::Bulk(None));
            }
            let len = usize::try_from(len).ok().filter(|n| *n <= 512 << 20)?;
            let mut body = vec![0; len + 2];
            input.read_exact(&mut body).ok()?;
            body.truncate(len);
            Some(Reply::Bulk(Some(body)))
        }
        b'*' => {
            let n: i64 = text.parse().ok()?;
            if n < 0 {
                return Some(Reply::Bulk(None));
            }
            let n = usize::try_from(n).ok().filter(|n| *n <= 1 << 20)?;
            let mut items = Vec::with_capacity(n.min(1024));
            for _ in 0..n {
                items.push(read_reply_at(input, depth + 1)?);
            }
            Some(Reply::Array(items))
        }
        _ => None,
    }
}

/// A command as a RESP array of bulk strings (what clients send and the AOF holds).
pub fn encode_command(args: &[Vec<u8>]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// A request's words and how many bytes of the buffer it took.
pub type Request = (Vec<Vec<u8>>, usize);

/// The most one request may hold, as redis's `proto-max-bulk-len` guards it.
const MAX_BULK: usize = 512 << 20;
const MAX_ARGS: usize = 1 << 20;

/// One request parsed from the front of `buf`: Ok(Some((args, bytes used))), Ok(None)
/// when more bytes are needed, Err with redis's protocol error otherwise.
pub fn parse_request(buf: &[u8]) -> Result<Option<Request>, String> {
    if buf.is_empty() {
        return Ok(None);
    }
    if buf[0] != b'*' {
        // An inline command: one line, words split as redis-cli splits them.
        let Some(end) = find_crlf(buf, 0).or_else(|| buf.iter().position(|&b| b == b'\n')) else {
            return Ok(None);
        };
        let line = String::from_utf8_lossy(&buf[..end]).into_owned();
        let used = if buf.get(end) == Some(&b'\r') {
            end + 2
        } else {
            end + 1
        };
        let args = split_args(&line)
            .ok_or_else(|| "Protocol error: unbalanced quotes in request".to_string())?;
        return Ok(Some((
            args.into_iter().map(String::into_bytes).collect(),
            used,
        )));
    }
    let Some(end) = find_crlf(buf, 1) else {
        return Ok(None);
    };
    let n: i64 = std::str::from_utf8(&buf[1..end])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| "Protocol error: invalid multibulk length".to_string())?;
    if n > MAX_ARGS as i64 {
        return Err("Protocol error: invalid multibulk length".into());
    }
    let mut pos = end + 2;
    let mut args = Vec::new();
    for _ in 0..n.max(0) {
        if pos >= buf.len() {
            return Ok(None);
        }
        if buf[pos] != b'$' {
            return Err(format!(
                "Protocol error: expected '$', got '{}'",
                buf[pos] as char
            ));
        }
        let Some(end) = find_crlf(buf, pos + 1) else {
            return Ok(None);
        };
        let len: usize = std::str::from_utf8(&buf[pos + 1..end])
            .ok()
            .and_then(|s| s.parse().ok())
            .filter(|l| *l <= MAX_BULK)
            .ok_or_else(|| "Protocol error: invalid bulk length".to_string())?;
        let start = end + 2;
        if buf.len() < start + len + 2 {
            return Ok(None);
        }
        args.push(buf[start..start + len].to_vec());
        pos = start + len + 2;
    }
    Ok(Some((args, pos)))
}

fn find_crlf(buf: &[u8], from: usize) -> Option<usize> {
    (from..buf.len().saturating_sub(1)).find(|&i| buf[i] == b'\r' && buf[i + 1] == b'\n')
}

/// Splits a command line into words as redis-cli does (`sdssplitargs`): blanks
/// separate, "double quotes" take \n \t \xHH escapes, 'single quotes' take \'.
/// None for unbalanced quotes.
pub fn split_args(line: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    loop {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i >= chars.len() {
            return Some(out);
        }
        let mut cur = String::new();
        let mut inq = false;
        let mut insq = false;
        loop {
            if inq {
                let c = *chars.get(i)?;
                if c == '\\' && i + 3 < chars.len() && chars[i + 1] == 'x' {
                    let hex: String = chars[i + 2..i + 4].iter().collect();
                    if let Ok(b) = u8::from_str_radix(&hex, 16) {
                        cur.push(b as char);
                        i += 4;
                        continue;
                    }
                }
                if c == '\\' && i + 1 < chars.len() {
                    i += 1;
                    cur.push(match chars[i] {
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        'b' => '\u{8}',
                        'a' => '\u{7}',
                        other => other,
                    });
                } else if c == '"' {
                    // The closing quote must be followed by a blank or the end.
                    if chars.get(i + 1).is_some_and(|c| !c.is_whitespace()) {
                        return None;
                    }
                    inq = false;
                    i += 1;
                    break;
                } else {
                    cur.push(c);
                }
            } else if insq {
                let c = *chars.get(i)?;
                if c == '\\' && chars.get(i + 1) == Some(&'\'') {
                    i += 1;
                    cur.push('\'');
                } else if c == '\'' {
                    if chars.get(i + 1).is_some_and(|c| !c.is_whitespace()) {
                        return None;
                    }
                    insq = false;
                    i += 1;
                    break;
                } else {
                    cur.push(c);
                }
            } else {
                match chars.get(i) {
                    None => break,
                    Some(c) if c.is_whitespace() => break,
                    Some('"') => inq = true,
                    Some('\'') => insq = true,
                    Some(c) => cur.push(*c),
                }
            }
            i += 1;
        }
        if inq || insq {
            return None;
        }
        out.push(cur);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_read_back_as_they_were_encoded() {
        let reply = Reply::Array(vec![
            Reply::ok(),
            Reply::Int(-3),
            Reply::bulk("a\r\nb"),
            Reply::Bulk(None),
            Reply::err("ERR x"),
        ]);
        let mut bytes = Vec::new();
        reply.encode(&mut bytes);
        assert_eq!(read_reply(&mut &bytes[..]), Some(reply));
        assert_eq!(read_reply(&mut &b"$5\r\nab"[..]), None);
        assert_eq!(read_reply(&mut &b"?x\r\n"[..]), None);
    }

    #[test]
    fn replies_encode_as_resp2() {
        let mut out = Vec::new();
        Reply::Array(vec![
            Reply::ok(),
            Reply::Int(-3),
            Reply::bulk("hé"),
            Reply::Bulk(None),
            Reply::err("ERR x"),
            Reply::Array(vec![]),
        ])
        .encode(&mut out);
        assert_eq!(
            out,
            "*6\r\n+OK\r\n:-3\r\n$3\r\nhé\r\n$-1\r\n-ERR x\r\n*0\r\n".as_bytes()
        );
    }

    #[test]
    fn requests_parse_whole_partial_and_inline() {
        let cmd = encode_command(&[b"SET".to_vec(), b"k".to_vec(), b"a b".to_vec()]);
        assert_eq!(cmd, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na b\r\n");
        let (args, used) = parse_request(&cmd).unwrap().unwrap();
        assert_eq!(used, cmd.len());
        assert_eq!(args, vec![b"SET".to_vec(), b"k".to_vec(), b"a b".to_vec()]);
        assert_eq!(parse_request(&cmd[..cmd.len() - 1]).unwrap(), None);
        let (args, used) = parse_request(b"get \"a b\"\r\nrest").unwrap().unwrap();
        assert_eq!((args, used), (vec![b"get".to_vec(), b"a b".to_vec()], 11));
        assert!(parse_request(b"*1\r\n#3\r\n").is_err());
        assert!(parse_request(b"*99999999999\r\n").is_err());
    }

    #[test]
    fn command_lines_split_like_redis_cli() {
        assert_eq!(
            split_args("set k \"a\\nb\" 'it\\'s' plain").unwrap(),
            vec!["set", "k", "a\nb", "it's", "plain"]
        );
        assert_eq!(split_args("  ").unwrap(), Vec::<String>::new());
        assert_eq!(split_args("set \"x"), None);
        assert_eq!(split_args("set \"x\"y"), None);
    }
}
