//! How fast and how far a run may go: the bandwidth limit all transfers share
//! (`--bwlimit`, with its timetable), the bytes they hand to the network, and the run limits
//! (`--max-transfer`, `--max-duration`) that stop new files from starting.
//!
//! The limiter is a virtual clock rather than a bucket of saved-up tokens: each slice of a
//! request body reserves `len / rate` seconds after the previous reservation and waits for
//! its turn, so the bytes leave evenly whatever the number of transfers, and an idle spell
//! saves nothing up for a burst: a body the HTTP stack took late may catch up on at most
//! [`SLACK`] of lost time. Bodies are cut into slices of about 1/32 s at the rate in
//! force, so no transfer waits seconds between two pieces (the stall watchdog stays quiet).
//! A small hand-written clock, not `governor`: the rate changes during a run (timetable),
//! the cost of a slice is its byte count, and the whole of it is some thirty lines.
//!
//! It owns these counters and the waiting; it never starts or stops a transfer itself.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Timelike;

use super::settings::Limits;

/// Bytes per second by time of day: each entry holds from its minute (0..1440) until the
/// next; before the first, the last one of the day holds. `None` is no limit ("off").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    entries: Vec<(u32, Option<u64>)>,
}

impl Schedule {
    /// One rate all day.
    pub fn constant(rate: u64) -> Self {
        Schedule {
            entries: vec![(0, Some(rate))],
        }
    }

    /// A timetable of `(minute of the day, rate)`, in any order. `Err` names a minute given
    /// twice, or an empty table.
    pub fn timetable(mut entries: Vec<(u32, Option<u64>)>) -> Result<Self, String> {
        if entries.is_empty() {
            return Err("the timetable is empty".to_owned());
        }
        entries.sort_by_key(|(minute, _)| *minute);
        if let Some(pair) = entries.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(format!(
                "{:02}:{:02} is given twice",
                pair[0].0 / 60,
                pair[0].0 % 60
            ));
        }
        Ok(Schedule { entries })
    }

    /// The rate in force at `minute` of the day.
    pub fn rate_at(&self, minute: u32) -> Option<u64> {
        self.entries
            .iter()
            .rev()
            .find(|(from, _)| *from <= minute)
            .or_else(|| self.entries.last())
            .and_then(|(_, rate)| *rate)
    }

    /// The rate in force now, by the local clock.
    pub fn rate_now(&self) -> Option<u64> {
        if let [(_, rate)] = self.entries.as_slice() {
            return *rate;
        }
        let now = chrono::Local::now();
        self.rate_at(now.hour() * 60 + now.minute())
    }
}

/// How far behind the clock the next reservation may start: hiccups of the scheduler are
/// made up for, an idle spell is not.
const SLACK: Duration = Duration::from_millis(50);
/// The slice sizes bodies are cut into under a limit.
const MIN_SLICE: usize = 1024;
const MAX_SLICE: usize = 64 * 1024;

/// What every transfer of a run (or of a long-running caller's runs) shares: the limiter,
/// and the count of bytes handed to the network.
#[derive(Debug, Default)]
pub struct Throttle {
    schedule: Option<Schedule>,
    /// When the next slice may go; `None` while no limit is in force.
    next: Mutex<Option<Instant>>,
    sent: AtomicU64,
}

impl Throttle {
    pub fn new(schedule: Option<Schedule>) -> Self {
        Throttle {
            schedule,
            next: Mutex::new(None),
            sent: AtomicU64::new(0),
        }
    }

    /// Whether bodies must be cut into slices and wait for their turn.
    pub fn limited(&self) -> bool {
        self.schedule.is_some()
    }

    /// The largest slice to send at once now; `usize::MAX` with no limit in force.
    pub fn slice(&self) -> usize {
        match self.schedule.as_ref().and_then(Schedule::rate_now) {
            Some(rate) => usize::try_from(rate / 32)
                .unwrap_or(MAX_SLICE)
                .clamp(MIN_SLICE, MAX_SLICE),
            None => usize::MAX,
        }
    }

    /// Waits until `bytes` may go, then counts them as sent.
    pub async fn take(&self, bytes: usize) {
        let at = self.reserve(bytes, Instant::now());
        if let Some(at) = at {
            tokio::time::sleep_until(at.into()).await;
        }
        self.sent.fetch_add(bytes as u64, Ordering::Relaxed);
    }

    /// The moment `bytes` may leave, reserving their time; `None`: at once.
    fn reserve(&self, bytes: usize, now: Instant) -> Option<Instant> {
        let rate = self.schedule.as_ref().and_then(Schedule::rate_now);
        let mut next = self
            .next
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(rate) = rate.filter(|r| *r > 0) else {
            *next = None;
            return None;
        };
        let floor = now.checked_sub(SLACK).unwrap_or(now);
        let start = next.map_or(now, |at| at.max(floor));
        *next = Some(start + Duration::from_secs_f64(bytes as f64 / rate as f64));
        (start > now).then_some(start)
    }

    /// Bytes handed to the network so far (resent ones included).
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }
}

/// Which limit stopped a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitKind {
    MaxTransfer,
    MaxDuration,
}

impl LimitKind {
    /// A stable word for scripts (`stopped_at` in `--json`).
    pub fn as_str(self) -> &'static str {
        match self {
            LimitKind::MaxTransfer => "max_transfer",
            LimitKind::MaxDuration => "max_duration",
        }
    }

    pub fn flag(self) -> &'static str {
        match self {
            LimitKind::MaxTransfer => "--max-transfer",
            LimitKind::MaxDuration => "--max-duration",
        }
    }
}

/// The run limits of one run: whether another file may start.
#[derive(Debug)]
pub(super) struct Budget {
    limits: Limits,
    started: Instant,
    /// Bytes of the files started so far.
    committed: AtomicU64,
    reached: Mutex<Option<LimitKind>>,
    hit: AtomicBool,
}

impl Budget {
    pub(super) fn new(limits: Limits, started: Instant) -> Self {
        Budget {
            limits,
            started,
            committed: AtomicU64::new(0),
            reached: Mutex::new(None),
            hit: AtomicBool::new(false),
        }
    }

    /// Whether a file of `size` bytes may start; counts it when it may. A file starts while
    /// the files started before it add up to less than `--max-transfer` and the run is
    /// younger than `--max-duration`; so the last one may go past the limit.
    pub(super) fn may_start(&self, size: u64) -> bool {
        if self.hit.load(Ordering::Relaxed) {
            return false;
        }
        if self
            .limits
            .max_duration
            .is_some_and(|max| self.started.elapsed() >= max)
        {
            self.reach(LimitKind::MaxDuration);
            return false;
        }
        if let Some(max) = self.limits.max_transfer {
            let before = self.committed.fetch_add(size, Ordering::Relaxed);
            if before >= max {
                self.committed.fetch_sub(size, Ordering::Relaxed);
                self.reach(LimitKind::MaxTransfer);
                return false;
            }
        }
        true
    }

    /// With `--cutoff hard`: the limit that should stop the files in flight now, given the
    /// bytes sent so far.
    pub(super) fn overrun(&self, sent: u64) -> Option<LimitKind> {
        if self
            .limits
            .max_duration
            .is_some_and(|max| self.started.elapsed() >= max)
        {
            return Some(LimitKind::MaxDuration);
        }
        self.limits
            .max_transfer
            .filter(|max| sent >= *max)
            .map(|_| LimitKind::MaxTransfer)
    }

    /// Records that `kind` stopped the run (the first one counts).
    pub(super) fn reach(&self, kind: LimitKind) {
        self.hit.store(true, Ordering::Relaxed);
        let mut reached = self
            .reached
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        reached.get_or_insert(kind);
    }

    pub(super) fn reached(&self) -> Option<LimitKind> {
        *self
            .reached
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// `--cutoff hard`: once a limit is reached, the files in flight stop where they are
/// (resumable, as after Ctrl-C) instead of finishing. Watches what `throttle` counts as sent
/// from now on; the caller aborts the task when the pass is over.
pub(super) fn hard_cutoff(
    budget: std::sync::Arc<Budget>,
    throttle: std::sync::Arc<Throttle>,
    cancel: tokio_util::sync::CancellationToken,
) -> tokio::task::JoinHandle<()> {
    let base = throttle.sent();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if let Some(kind) = budget.overrun(throttle.sent() - base) {
                budget.reach(kind);
                cancel.cancel();
                return;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timetable_holds_from_each_entry_and_wraps_round_midnight() {
        let table = Schedule::timetable(vec![(19 * 60, None), (8 * 60, Some(1 << 20))]).unwrap();
        assert_eq!(table.rate_at(8 * 60), Some(1 << 20));
        assert_eq!(table.rate_at(12 * 60), Some(1 << 20));
        assert_eq!(table.rate_at(19 * 60), None);
        assert_eq!(
            table.rate_at(3 * 60),
            None,
            "before 08:00 the 19:00 entry holds"
        );
        assert!(Schedule::timetable(vec![(60, None), (60, Some(1))]).is_err());
    }

    #[test]
    fn reservations_follow_each_other_at_the_rate_and_idle_time_saves_nothing() {
        let throttle = Throttle::new(Some(Schedule::constant(1000)));
        let t0 = Instant::now();
        assert_eq!(throttle.reserve(500, t0), None, "the first goes at once");
        assert_eq!(
            throttle.reserve(500, t0),
            Some(t0 + Duration::from_millis(500))
        );
        // Long after: nothing saved up beyond SLACK; the next goes now.
        let later = t0 + Duration::from_secs(10);
        assert_eq!(throttle.reserve(1000, later), None);
        assert_eq!(
            throttle.reserve(1, later),
            Some(later + Duration::from_millis(950)),
        );
        assert_eq!(throttle.slice(), MIN_SLICE);
        assert_eq!(Throttle::new(None).slice(), usize::MAX);
    }

    #[test]
    fn files_start_until_the_started_ones_reach_the_limit() {
        let limits = Limits {
            max_transfer: Some(10),
            ..Limits::default()
        };
        let budget = Budget::new(limits, Instant::now());
        assert!(budget.may_start(6));
        assert!(budget.may_start(6), "6 < 10: this one may go past it");
        assert!(!budget.may_start(1));
        assert_eq!(budget.reached(), Some(LimitKind::MaxTransfer));
        assert_eq!(budget.overrun(9), None);
        assert_eq!(budget.overrun(10), Some(LimitKind::MaxTransfer));
    }
}
