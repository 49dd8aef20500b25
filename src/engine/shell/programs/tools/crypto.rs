//! The message digests `openssl dgst` offers the lab: SHA-1 and SHA-2 from their
//! crates, MD5 written out here (RFC 1321), which no dependency carries.

use sha1::Digest as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Digest {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Digest {
    /// The digest `-NAME` / `openssl NAME` selects.
    pub fn named(name: &str) -> Option<Digest> {
        Some(match name.to_ascii_lowercase().as_str() {
            "md5" => Digest::Md5,
            "sha1" => Digest::Sha1,
            "sha224" | "sha2-224" => Digest::Sha224,
            "sha256" | "sha2-256" => Digest::Sha256,
            "sha384" | "sha2-384" => Digest::Sha384,
            "sha512" | "sha2-512" => Digest::Sha512,
            _ => return None,
        })
    }

    /// How OpenSSL 3 names the digest in its output.
    pub fn label(self) -> &'static str {
        match self {
            Digest::Md5 => "MD5",
            Digest::Sha1 => "SHA1",
            Digest::Sha224 => "SHA2-224",
            Digest::Sha256 => "SHA2-256",
            Digest::Sha384 => "SHA2-384",
            Digest::Sha512 => "SHA2-512",
        }
    }

    pub fn hex(self, data: &[u8]) -> String {
        match self {
            Digest::Md5 => hex::encode(md5(data)),
            Digest::Sha1 => hex::encode(sha1::Sha1::digest(data)),
            Digest::Sha224 => hex::encode(sha2::Sha224::digest(data)),
            Digest::Sha256 => hex::encode(sha2::Sha256::digest(data)),
            Digest::Sha384 => hex::encode(sha2::Sha384::digest(data)),
            Digest::Sha512 => hex::encode(sha2::Sha512::digest(data)),
        }
    }
}

/// MD5 (RFC 1321).
pub fn md5(data: &[u8]) -> [u8; 16] {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5,
        9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10,
        15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    let k: Vec<u32> = (0..64)
        .map(|i| ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32)
        .collect();
    let mut message = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&bit_len.to_le_bytes());
    let (mut a0, mut b0, mut c0, mut d0) =
        (0x67452301u32, 0xefcdab89u32, 0x98badcfeu32, 0x10325476u32);
    for chunk in message.chunks_exact(64) {
        let m: Vec<u32> = chunk
            .chunks_exact(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect();
        let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(k[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(S[i]));
        }
        a0 = a0.wrapping_add(a);
        b0 = b0.wrapping_add(b);
        c0 = c0.wrapping_add(c);
        d0 = d0.wrapping_add(d);
    }
    let mut out = [0u8; 16];
    for (i, v) in [a0, b0, c0, d0].iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_openssl() {
        let data = b"Hello, docklab!\n\x00\x01\xff";
        assert_eq!(Digest::Md5.hex(data), "8419498caaea4ef6802c81ef83476f24");
        assert_eq!(
            Digest::Sha256.hex(data),
            "aba5ab6a538dec364f0fb997e792248e50cbcf8f5b48099816c895f5c93ffdf1"
        );
        assert_eq!(
            Digest::Sha1.hex(data),
            "d5a39c2070305124e17040c952fcdfbcb9ff0a73"
        );
        assert_eq!(Digest::Md5.hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
    }
}
