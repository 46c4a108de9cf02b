//! The time as the web layer reads it: the system clock, moved by an offset that tests
//! set, so timeouts and lockouts counted in minutes are tested without sleeping. The
//! server never moves it; the offset stays zero.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// A clock shared by every clone of the application state.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_us: Arc<AtomicI64>,
}

impl Clock {
    /// Now, to the microsecond (the precision both database engines keep).
    pub fn now(&self) -> DateTime<Utc> {
        let offset = Duration::microseconds(self.offset_us.load(Ordering::Relaxed));
        (Utc::now() + offset).trunc_subsecs(6)
    }

    /// Moves the clock forward (tests: "25 seconds later").
    pub fn advance(&self, by: Duration) {
        let us = by.num_microseconds().unwrap_or(i64::MAX);
        self.offset_us.fetch_add(us, Ordering::Relaxed);
    }
}
