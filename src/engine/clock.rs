//! Time and randomness, made reproducible: `--clock` fixes "now", `--seed` fixes every
//! generated ID and name, so a transcript is the same on every run and every machine.

use chrono::{DateTime, Utc};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Where "now" comes from.
#[derive(Debug, Clone)]
pub enum Clock {
    System,
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(t) => *t,
        }
    }

    /// Parses an RFC 3339 time for `--clock`.
    pub fn parse_fixed(s: &str) -> Result<Clock, chrono::ParseError> {
        Ok(Clock::Fixed(
            DateTime::parse_from_rfc3339(s)?.with_timezone(&Utc),
        ))
    }
}

/// Random IDs and names: seeded for reproducible runs, from the time otherwise.
pub struct IdGenerator {
    rng: ChaCha8Rng,
}

impl IdGenerator {
    pub fn new(seed: Option<u64>) -> IdGenerator {
        let seed = seed.unwrap_or_else(|| {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            nanos ^ (u64::from(std::process::id()) << 32)
        });
        IdGenerator {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// 64 lower-case hex characters, like a container ID. Like Docker's stringid, an ID
    /// whose 12-character short form is all digits is drawn again, so a short ID never
    /// reads as a number.
    pub fn hex_id(&mut self) -> String {
        loop {
            let mut bytes = [0u8; 32];
            self.rng.fill_bytes(&mut bytes);
            let id = hex::encode(bytes);
            if !id[..12].bytes().all(|b| b.is_ascii_digit()) {
                return id;
            }
        }
    }

    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_ids_repeat_and_differ_from_each_other() {
        let mut a = IdGenerator::new(Some(7));
        let mut b = IdGenerator::new(Some(7));
        let first = a.hex_id();
        assert_eq!(first, b.hex_id());
        assert_eq!(first.len(), 64);
        assert_ne!(first, a.hex_id());
    }

    #[test]
    fn fixed_clock_parses_rfc3339() {
        let c = Clock::parse_fixed("2026-01-02T03:04:05Z").unwrap();
        assert_eq!(c.now().to_rfc3339(), "2026-01-02T03:04:05+00:00");
        assert!(Clock::parse_fixed("yesterday").is_err());
    }
}
