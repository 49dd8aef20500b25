//! Time and randomness, made reproducible: `--clock` fixes "now", `--seed` fixes every
//! generated ID and name, so a transcript is the same on every run and every machine.
//!
//! Time can also be passed by hand ([`Clock::advance`]): a script's `sleep 30` takes no
//! time on the host, yet the engine's health checks, uptimes and log times move on by
//! 30 seconds, on a fixed clock and on the system's alike.

use chrono::{DateTime, TimeDelta, Utc};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Where "now" comes from, and how much time was passed on top of it. Clones share the
/// time passed: the lab, its engine and the servers the engine runs read one clock.
#[derive(Debug, Clone)]
pub struct Clock {
    source: Source,
    /// Nanoseconds passed with [`Clock::advance`].
    passed: Arc<AtomicI64>,
}

#[derive(Debug, Clone, Copy)]
enum Source {
    System,
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// The host's time.
    pub fn system() -> Clock {
        Clock::from_source(Source::System)
    }

    /// Always `at`, until time is passed.
    pub fn fixed(at: DateTime<Utc>) -> Clock {
        Clock::from_source(Source::Fixed(at))
    }

    fn from_source(source: Source) -> Clock {
        Clock {
            source,
            passed: Arc::default(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let base = match self.source {
            Source::System => Utc::now(),
            Source::Fixed(t) => t,
        };
        base + TimeDelta::nanoseconds(self.passed.load(Ordering::SeqCst))
    }

    /// "Now" on a fixed clock; None on the system's.
    pub fn fixed_now(&self) -> Option<DateTime<Utc>> {
        match self.source {
            Source::System => None,
            Source::Fixed(_) => Some(self.now()),
        }
    }

    /// Moves this clock and every clone of it on by `by`.
    pub fn advance(&self, by: std::time::Duration) {
        let nanos = i64::try_from(by.as_nanos()).unwrap_or(i64::MAX);
        let _ = self
            .passed
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |p| {
                Some(p.saturating_add(nanos))
            });
    }

    /// A clock that reads the same time now but passes time on its own: for one lab
    /// among several opened with the same settings.
    pub fn independent(&self) -> Clock {
        Clock {
            source: self.source,
            passed: Arc::new(AtomicI64::new(self.passed.load(Ordering::SeqCst))),
        }
    }

    /// Parses an RFC 3339 time for `--clock`.
    pub fn parse_fixed(s: &str) -> Result<Clock, chrono::ParseError> {
        Ok(Clock::fixed(
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

    #[test]
    fn passed_time_moves_every_clone_but_not_an_independent_clock() {
        let c = Clock::parse_fixed("2026-01-02T03:04:05Z").unwrap();
        let clone = c.clone();
        let own = c.independent();
        c.advance(std::time::Duration::from_millis(31_500));
        assert_eq!(clone.now().to_rfc3339(), "2026-01-02T03:04:36.500+00:00");
        assert_eq!(clone.fixed_now(), Some(clone.now()));
        assert_eq!(own.now().to_rfc3339(), "2026-01-02T03:04:05+00:00");
        let system = Clock::system();
        let before = system.now();
        system.advance(std::time::Duration::from_secs(3600));
        assert!(system.now() - before >= TimeDelta::seconds(3600));
        assert_eq!(system.fixed_now(), None);
    }
}
