//! A budget for the work done on one thread: a deadline and a ceiling on the memory the
//! thread holds. Graders replay untrusted submissions in process; a `while true` loop or
//! a variable doubled until it fills memory must stop that one submission, not the
//! grader. Every shell the engine interprets on the thread (the lab's, a container's, a
//! build step's) asks [`exceeded`] where it already asks whether Ctrl-C was pressed, so
//! the budget reaches into containers without the engine threading it through.
//!
//! Memory is measured with the allocator's own per-thread counters (bytes this thread
//! allocated less bytes it freed), where the allocator keeps them; elsewhere only the
//! deadline applies. Caches shared between labs (layers, hub manifests) are produced
//! inside [`exempt`], so the submission that happens to fill them first is not charged
//! for memory every later one reuses.
//!
//! Owns nothing but thread-local counters; it never stops a thread by force.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

/// What a thread may spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub time: Duration,
    /// Bytes the thread may hold beyond what it held when the budget began.
    pub memory: Option<u64>,
}

/// Why a budget ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    Time(Duration),
    Memory(u64),
}

impl std::fmt::Display for Exceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exceeded::Time(limit) => write!(
                f,
                "stopped after {}: the time budget ran out (a loop that never ends?)",
                seconds(*limit)
            ),
            Exceeded::Memory(limit) => write!(
                f,
                "stopped at {} MiB: the memory budget ran out",
                limit >> 20
            ),
        }
    }
}

fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

struct Active {
    deadline: Instant,
    limits: Limits,
    /// Net bytes held when the budget began.
    baseline: i64,
    /// The most held beyond the baseline at any check.
    peak: i64,
    tripped: Option<Exceeded>,
}

/// What a budget's work spent, as far as its checks saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spent {
    /// Why it was stopped, if it was.
    pub exceeded: Option<Exceeded>,
    /// The most memory it held beyond what the thread held before, at any check
    /// (0 where the allocator keeps no counters).
    pub peak_memory: u64,
}

thread_local! {
    /// The budgets running on this thread, outermost first: an inner one (a detached
    /// container's first run) never lifts an outer one (the submission's).
    static ACTIVE: RefCell<Vec<Active>> = const { RefCell::new(Vec::new()) };
    /// Net bytes allocated inside [`exempt`] and still held: not the budget's.
    static CREDIT: Cell<i64> = const { Cell::new(0) };
    /// How many [`exempt`] calls are open on this thread.
    static EXEMPT_DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Runs `work` on this thread within `limits`; says whether the budget ran out. Work
/// goes on after the budget trips only as far as the code in it checks [`exceeded`]:
/// the shells do, between commands and loop iterations.
pub fn within<R>(limits: Limits, work: impl FnOnce() -> R) -> (R, Option<Exceeded>) {
    let (result, spent) = measured(limits, work);
    (result, spent.exceeded)
}

/// As [`within`], with the memory the work held at its peak.
pub fn measured<R>(limits: Limits, work: impl FnOnce() -> R) -> (R, Spent) {
    let baseline = held();
    ACTIVE.with(|a| {
        a.borrow_mut().push(Active {
            deadline: Instant::now() + limits.time,
            limits,
            baseline,
            peak: 0,
            tripped: None,
        })
    });
    let result = work();
    exceeded();
    let spent = ACTIVE.with(|a| {
        a.borrow_mut().pop().map_or(Spent::default(), |b| Spent {
            exceeded: b.tripped,
            peak_memory: b.peak.max(0) as u64,
        })
    });
    (result, spent)
}

/// Whether a running budget has run out; false when there is none. Cheap enough to
/// call between every two commands a shell runs.
pub fn exceeded() -> bool {
    ACTIVE.with(|a| {
        let Ok(mut active) = a.try_borrow_mut() else {
            return false;
        };
        if active.is_empty() {
            return false;
        }
        let now = Instant::now();
        let held = if EXEMPT_DEPTH.with(Cell::get) == 0 {
            Some(held())
        } else {
            None
        };
        let mut any = false;
        for budget in active.iter_mut() {
            if budget.tripped.is_none() {
                let holding = held.map_or(0, |h| h - budget.baseline);
                budget.peak = budget.peak.max(holding);
                if now >= budget.deadline {
                    budget.tripped = Some(Exceeded::Time(budget.limits.time));
                } else if let Some(limit) = budget.limits.memory
                    && holding > limit as i64
                {
                    budget.tripped = Some(Exceeded::Memory(limit));
                }
            }
            any |= budget.tripped.is_some();
        }
        any
    })
}

/// What ran out, if the innermost running budget did.
pub fn tripped() -> Option<Exceeded> {
    ACTIVE.with(|a| {
        a.try_borrow()
            .ok()
            .and_then(|a| a.last().and_then(|b| b.tripped))
    })
}

/// Net bytes this thread holds beyond its exempt allocations, as far as the allocator
/// tells; what a budget charges.
pub fn held() -> i64 {
    counters::net() - CREDIT.with(Cell::get)
}

/// Whether this build can measure a thread's memory (the allocator keeps counters).
pub fn measures_memory() -> bool {
    counters::AVAILABLE
}

/// Runs `produce`, whose lasting allocations belong to a cache shared by every lab of
/// the process rather than to the budget of the thread that happened to fill it.
pub fn exempt<R>(produce: impl FnOnce() -> R) -> R {
    let before = counters::net();
    EXEMPT_DEPTH.with(|d| d.set(d.get() + 1));
    let result = produce();
    EXEMPT_DEPTH.with(|d| d.set(d.get() - 1));
    let kept = counters::net() - before;
    // Only the outermost call credits: an inner one's bytes are in the outer delta.
    if EXEMPT_DEPTH.with(Cell::get) == 0 {
        CREDIT.with(|c| c.set(c.get() + kept));
    }
    result
}

#[cfg(all(not(target_env = "msvc"), not(miri)))]
mod counters {
    use std::cell::OnceCell;
    use tikv_jemalloc_ctl::thread::{ThreadLocal, allocatedp, deallocatedp};

    pub const AVAILABLE: bool = true;

    thread_local! {
        static COUNTERS: OnceCell<Option<(ThreadLocal<u64>, ThreadLocal<u64>)>> =
            const { OnceCell::new() };
    }

    /// Bytes this thread allocated less bytes it freed.
    pub fn net() -> i64 {
        COUNTERS.with(|c| {
            match c.get_or_init(|| Some((allocatedp::read().ok()?, deallocatedp::read().ok()?))) {
                Some((allocated, deallocated)) => allocated.get() as i64 - deallocated.get() as i64,
                None => 0,
            }
        })
    }
}

#[cfg(any(target_env = "msvc", miri))]
mod counters {
    pub const AVAILABLE: bool = false;

    pub fn net() -> i64 {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_budget_is_never_exceeded() {
        assert!(!exceeded());
        assert_eq!(tripped(), None);
    }

    #[test]
    fn the_deadline_trips_and_says_so() {
        let limits = Limits {
            time: Duration::from_millis(20),
            memory: None,
        };
        let (spins, why) = within(limits, || {
            let mut spins = 0u64;
            while !exceeded() {
                spins += 1;
                std::thread::sleep(Duration::from_millis(1));
            }
            spins
        });
        assert!(spins > 0);
        assert_eq!(why, Some(Exceeded::Time(Duration::from_millis(20))));
        assert!(why.unwrap().to_string().contains("time budget"));
        // The budget ends with `within`.
        assert!(!exceeded());
    }

    #[test]
    fn an_inner_budget_trips_alone_and_never_lifts_the_outer_one() {
        let outer = Limits {
            time: Duration::from_millis(60),
            memory: None,
        };
        let inner = Limits {
            time: Duration::from_millis(10),
            memory: None,
        };
        let ((inner_why, outer_during), outer_why) = within(outer, || {
            let (_, inner_why) = within(inner, || while !exceeded() {});
            let outer_during = tripped();
            // A longer inner budget still ends at the outer deadline.
            let (_, long) = within(
                Limits {
                    time: Duration::from_secs(60),
                    memory: None,
                },
                || while !exceeded() {},
            );
            assert_eq!(long, None);
            (inner_why, outer_during)
        });
        assert_eq!(inner_why, Some(Exceeded::Time(Duration::from_millis(10))));
        assert_eq!(outer_during, None);
        assert_eq!(outer_why, Some(Exceeded::Time(Duration::from_millis(60))));
    }

    #[test]
    fn holding_memory_trips_the_memory_budget() {
        if !measures_memory() {
            return;
        }
        let limits = Limits {
            time: Duration::from_secs(60),
            memory: Some(8 << 20),
        };
        let (_, why) = within(limits, || {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            while !exceeded() {
                hoard.push(vec![1u8; 1 << 20]);
                assert!(hoard.len() < 1000, "the budget never tripped");
            }
            hoard.len()
        });
        assert_eq!(why, Some(Exceeded::Memory(8 << 20)));
    }

    #[test]
    fn memory_freed_again_is_not_charged() {
        if !measures_memory() {
            return;
        }
        let limits = Limits {
            time: Duration::from_secs(60),
            memory: Some(8 << 20),
        };
        let (_, why) = within(limits, || {
            for _ in 0..64 {
                let buffer = vec![1u8; 1 << 20];
                std::hint::black_box(&buffer);
                assert!(!exceeded());
            }
        });
        assert_eq!(why, None);
    }

    #[test]
    fn exempt_allocations_are_not_charged() {
        if !measures_memory() {
            return;
        }
        let limits = Limits {
            time: Duration::from_secs(60),
            memory: Some(8 << 20),
        };
        let (cache, why) = within(limits, || {
            let cache = exempt(|| vec![7u8; 32 << 20]);
            assert!(!exceeded());
            cache
        });
        assert_eq!(cache.len(), 32 << 20);
        assert_eq!(why, None);
    }
}
