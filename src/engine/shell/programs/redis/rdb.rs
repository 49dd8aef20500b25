//! Redis's RDB snapshot format, version 12 (what redis 7.4 writes): the header, AUX
//! fields, one database with its RESIZEDB hint, string keys with their millisecond
//! expiry, EOF and the CRC-64 (Jones) checksum. Strings are written plainly or, when
//! they are a canonical integer, in the integer encodings; never LZF-compressed, which
//! redis reads all the same. Reading accepts what this writes, plus LZF strings.

use std::collections::BTreeMap;

/// A key's value and when it expires (Unix milliseconds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub value: Vec<u8>,
    pub expire_ms: Option<i64>,
}

pub type Db = BTreeMap<Vec<u8>, Entry>;

const OP_AUX: u8 = 0xFA;
const OP_RESIZEDB: u8 = 0xFB;
const OP_EXPIRETIME_MS: u8 = 0xFC;
const OP_SELECTDB: u8 = 0xFE;
const OP_EOF: u8 = 0xFF;
const TYPE_STRING: u8 = 0;

/// CRC-64/Jones (reflected, polynomial 0xad93d23594c935a9), as redis checksums RDB.
pub fn crc64(data: &[u8]) -> u64 {
    const POLY: u64 = 0x95ac_9329_ac4b_c9b5; // 0xad93d23594c935a9 reflected
    let mut crc: u64 = 0;
    for &b in data {
        crc ^= u64::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ POLY
            } else {
                crc >> 1
            };
        }
    }
    crc
}

fn put_len(out: &mut Vec<u8>, n: u64) {
    if n < 1 << 6 {
        out.push(n as u8);
    } else if n < 1 << 14 {
        out.push(0x40 | (n >> 8) as u8);
        out.push(n as u8);
    } else if n <= u64::from(u32::MAX) {
        out.push(0x80);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    } else {
        out.push(0x81);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn put_string(out: &mut Vec<u8>, s: &[u8]) {
    // A string that is a canonical integer of at most 32 bits is stored as one.
    if s.len() <= 11
        && let Some(v) = std::str::from_utf8(s)
            .ok()
            .and_then(|t| t.parse::<i64>().ok())
        && v.to_string().as_bytes() == s
    {
        if let Ok(v) = i8::try_from(v) {
            out.extend_from_slice(&[0xC0, v as u8]);
            return;
        }
        if let Ok(v) = i16::try_from(v) {
            out.push(0xC1);
            out.extend_from_slice(&v.to_le_bytes());
            return;
        }
        if let Ok(v) = i32::try_from(v) {
            out.push(0xC2);
            out.extend_from_slice(&v.to_le_bytes());
            return;
        }
    }
    put_len(out, s.len() as u64);
    out.extend_from_slice(s);
}

/// The RDB file of `db`, with redis 7.4.5's AUX fields; `ctime` in Unix seconds.
/// `extra`: further AUX fields (redis skips those it does not know).
pub fn write(db: &Db, ctime: i64, used_mem: u64, extra: &[(&str, String)]) -> Vec<u8> {
    let mut out = b"REDIS0012".to_vec();
    let aux = |out: &mut Vec<u8>, k: &str, v: &[u8]| {
        out.push(OP_AUX);
        put_string(out, k.as_bytes());
        put_string(out, v);
    };
    aux(&mut out, "redis-ver", b"7.4.5");
    aux(&mut out, "redis-bits", b"64");
    aux(&mut out, "ctime", ctime.to_string().as_bytes());
    aux(&mut out, "used-mem", used_mem.to_string().as_bytes());
    aux(&mut out, "aof-base", b"0");
    for (k, v) in extra {
        aux(&mut out, k, v.as_bytes());
    }
    if !db.is_empty() {
        out.push(OP_SELECTDB);
        put_len(&mut out, 0);
        out.push(OP_RESIZEDB);
        put_len(&mut out, db.len() as u64);
        put_len(
            &mut out,
            db.values().filter(|e| e.expire_ms.is_some()).count() as u64,
        );
        for (k, e) in db {
            if let Some(ms) = e.expire_ms {
                out.push(OP_EXPIRETIME_MS);
                out.extend_from_slice(&ms.to_le_bytes());
            }
            out.push(TYPE_STRING);
            put_string(&mut out, k);
            put_string(&mut out, &e.value);
        }
    }
    out.push(OP_EOF);
    let crc = crc64(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// What an RDB file holds: its keys and its AUX fields.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    pub db: Db,
    pub aux: Vec<(String, String)>,
}

impl Loaded {
    pub fn aux(&self, name: &str) -> Option<&str> {
        self.aux
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self
            .data
            .get(self.pos)
            .ok_or("Unexpected EOF reading RDB file")?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.data.len())
            .ok_or("Unexpected EOF reading RDB file")?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    /// A length, or Err(encoding) for the special string encodings (0xC0..).
    fn len(&mut self) -> Result<Result<u64, u8>, String> {
        let b = self.byte()?;
        Ok(match b >> 6 {
            0 => Ok(u64::from(b & 0x3f)),
            1 => Ok((u64::from(b & 0x3f) << 8) | u64::from(self.byte()?)),
            2 => match b {
                0x80 => Ok(u64::from(u32::from_be_bytes(
                    self.take(4)?.try_into().unwrap_or_default(),
                ))),
                0x81 => Ok(u64::from_be_bytes(
                    self.take(8)?.try_into().unwrap_or_default(),
                )),
                _ => return Err(format!("Unknown length encoding {b} in rdbLoadLen()")),
            },
            _ => Err(b & 0x3f),
        })
    }

    fn plain_len(&mut self) -> Result<u64, String> {
        self.len()?
            .map_err(|_| "Unexpected encoded length".to_string())
    }

    fn string(&mut self) -> Result<Vec<u8>, String> {
        match self.len()? {
            Ok(n) => Ok(self
                .take(usize::try_from(n).map_err(|_| "too long")?)?
                .to_vec()),
            Err(0) => Ok((self.byte()? as i8).to_string().into_bytes()),
            Err(1) => Ok(
                i16::from_le_bytes(self.take(2)?.try_into().unwrap_or_default())
                    .to_string()
                    .into_bytes(),
            ),
            Err(2) => Ok(
                i32::from_le_bytes(self.take(4)?.try_into().unwrap_or_default())
                    .to_string()
                    .into_bytes(),
            ),
            Err(3) => {
                let clen = self.plain_len()? as usize;
                let ulen = self.plain_len()? as usize;
                if ulen > 512 << 20 {
                    return Err("Invalid LZF compressed string".into());
                }
                lzf_decompress(self.take(clen)?, ulen)
            }
            Err(e) => Err(format!("Unknown RDB string encoding type {e}")),
        }
    }
}

/// LZF, as redis compresses long strings.
fn lzf_decompress(input: &[u8], out_len: usize) -> Result<Vec<u8>, String> {
    let bad = || "Invalid LZF compressed string".to_string();
    let mut out = Vec::with_capacity(out_len);
    let mut i = 0;
    while i < input.len() {
        let ctrl = input[i] as usize;
        i += 1;
        if ctrl < 32 {
            let n = ctrl + 1;
            out.extend_from_slice(input.get(i..i + n).ok_or_else(bad)?);
            i += n;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += *input.get(i).ok_or_else(bad)? as usize;
                i += 1;
            }
            let back = ((ctrl & 0x1f) << 8) + *input.get(i).ok_or_else(bad)? as usize + 1;
            i += 1;
            let start = out.len().checked_sub(back).ok_or_else(bad)?;
            for k in 0..len + 2 {
                let b = out[start + k];
                out.push(b);
            }
        }
        if out.len() > out_len {
            return Err(bad());
        }
    }
    (out.len() == out_len).then_some(out).ok_or_else(bad)
}

/// Reads an RDB file: string keys of database 0 (other types and databases are
/// refused with the reason).
pub fn read(data: &[u8]) -> Result<Loaded, String> {
    if data.len() < 9 || &data[..5] != b"REDIS" {
        return Err("Wrong signature trying to load DB from file".into());
    }
    let version: u32 = std::str::from_utf8(&data[5..9])
        .ok()
        .and_then(|v| v.parse().ok())
        .ok_or("Wrong signature trying to load DB from file")?;
    if version > 12 {
        return Err(format!("Can't handle RDB format version {version}"));
    }
    let mut r = Reader { data, pos: 9 };
    let mut loaded = Loaded::default();
    let mut expire = None;
    loop {
        let op = r.byte()?;
        match op {
            OP_AUX => {
                let k = r.string()?;
                let v = r.string()?;
                loaded.aux.push((
                    String::from_utf8_lossy(&k).into_owned(),
                    String::from_utf8_lossy(&v).into_owned(),
                ));
            }
            OP_SELECTDB => {
                r.plain_len()?;
            }
            OP_RESIZEDB => {
                r.plain_len()?;
                r.plain_len()?;
            }
            OP_EXPIRETIME_MS => {
                expire = Some(i64::from_le_bytes(
                    r.take(8)?.try_into().unwrap_or_default(),
                ));
            }
            0xFD => {
                let s = i32::from_le_bytes(r.take(4)?.try_into().unwrap_or_default());
                expire = Some(i64::from(s) * 1000);
            }
            OP_EOF => {
                if version >= 5 && r.data.len() >= r.pos + 8 {
                    let want = u64::from_le_bytes(r.take(8)?.try_into().unwrap_or_default());
                    if want != 0 && want != crc64(&data[..r.pos - 8]) {
                        return Err("Wrong RDB checksum".into());
                    }
                }
                return Ok(loaded);
            }
            TYPE_STRING => {
                let k = r.string()?;
                let v = r.string()?;
                loaded.db.insert(
                    k,
                    Entry {
                        value: v,
                        expire_ms: expire.take(),
                    },
                );
            }
            t => return Err(format!("Unknown RDB encoding type {t}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_is_redis_jones_crc() {
        // The check value redis's crc64 test asserts.
        assert_eq!(crc64(b"123456789"), 0xe9c6_d914_c4b8_d9ca);
    }

    #[test]
    fn an_empty_database_is_the_bytes_redis_writes() {
        let bytes = write(&Db::new(), 1_700_000_000, 1_000_000, &[]);
        assert!(
            bytes.starts_with(b"REDIS0012\xfa\x09redis-ver\x057.4.5\xfa\x0aredis-bits\xc0\x40")
        );
        assert!(bytes.windows(6).any(|w| w == b"ctime\xc2"));
        assert_eq!(bytes[bytes.len() - 9], 0xFF);
        let crc = u64::from_le_bytes(bytes[bytes.len() - 8..].try_into().unwrap());
        assert_eq!(crc, crc64(&bytes[..bytes.len() - 8]));
    }

    #[test]
    fn keys_values_and_expiries_round_trip() {
        let mut db = Db::new();
        for (k, v, e) in [
            ("name", "docklab", None),
            ("n", "42", Some(1_800_000_000_123)),
            ("big", "70000", None),
            ("neg", "-5", None),
            ("huge", "12345678901", None),
            ("lead", "007", None),
            ("long", &"x".repeat(20_000)[..], None),
        ] {
            db.insert(
                k.into(),
                Entry {
                    value: v.into(),
                    expire_ms: e,
                },
            );
        }
        let bytes = write(&db, 1, 2, &[("extra", "v".into())]);
        // "42" is stored as an 8-bit integer.
        assert!(bytes.windows(3).any(|w| w == b"\x01n\xc0"));
        let loaded = read(&bytes).unwrap();
        assert_eq!(loaded.db, db);
        assert_eq!(loaded.aux("redis-ver"), Some("7.4.5"));
        assert_eq!(loaded.aux("extra"), Some("v"));
        let mut broken = bytes.clone();
        broken[12] ^= 1;
        assert!(read(&broken).is_err());
        assert!(read(b"REDIS0012\xfa").is_err());
        assert!(read(b"nope").is_err());
    }

    #[test]
    fn lzf_strings_are_read() {
        // One literal 'a', then a back-reference of 8 at distance 1.
        assert_eq!(
            lzf_decompress(&[0, b'a', 0xC0, 0], 9).unwrap(),
            b"a".repeat(9)
        );
        assert_eq!(
            lzf_decompress(&[0, b'a', 0xE0, 1, 0], 11).unwrap(),
            b"a".repeat(11)
        );
        // A reference before the start, and a wrong length, are refused.
        assert!(lzf_decompress(&[0xC0, 5], 8).is_err());
        assert!(lzf_decompress(&[0, b'a'], 2).is_err());
    }
}
