//! Rate limits per client: a token bucket per client and kind of request, on gdprkit's clock (so
//! that tests move time rather than wait).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::settings::RateLimit;

/// The most clients remembered; past it, buckets that are full again are forgotten, then the half
/// seen longest ago.
const MAX_CLIENTS: usize = 100_000;

/// The buckets of one kind of request.
pub struct Limiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: DateTime<Utc>,
}

impl Limiter {
    /// Buckets holding `limit.burst` requests, refilled at `limit.per_minute`.
    pub fn new(limit: RateLimit) -> Self {
        Limiter { limit, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one request of `client` at `now`: `Ok`, or `Err` with the seconds to wait.
    pub fn take(&self, client: IpAddr, now: DateTime<Utc>) -> Result<(), u64> {
        let burst = f64::from(self.limit.burst.max(1));
        let per_second = f64::from(self.limit.per_minute.max(1)) / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_CLIENTS {
            // Full buckets first; if clients still fill the map, the half seen longest ago.
            buckets.retain(|_, b| refill(*b, now, per_second, burst) < burst);
            if buckets.len() >= MAX_CLIENTS / 2 {
                let mut seen: Vec<DateTime<Utc>> = buckets.values().map(|b| b.at).collect();
                seen.sort_unstable();
                let cutoff = seen[seen.len() / 2];
                buckets.retain(|_, b| b.at > cutoff);
            }
        }
        let bucket = buckets.entry(client).or_insert(Bucket { tokens: burst, at: now });
        let tokens = refill(*bucket, now, per_second, burst);
        if tokens >= 1.0 {
            *bucket = Bucket { tokens: tokens - 1.0, at: now };
            Ok(())
        } else {
            *bucket = Bucket { tokens, at: now };
            // Whole seconds until one request is regained, at least one.
            Err(((1.0 - tokens) / per_second).ceil().max(1.0) as u64)
        }
    }
}

fn refill(b: Bucket, now: DateTime<Utc>, per_second: f64, burst: f64) -> f64 {
    let elapsed = (now - b.at).num_milliseconds().max(0) as f64 / 1000.0;
    (b.tokens + elapsed * per_second).min(burst)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn a_client_gets_its_burst_then_waits_for_the_refill() {
        let limiter = Limiter::new(RateLimit { burst: 3, per_minute: 6 });
        let (a, b): (IpAddr, IpAddr) = ("203.0.113.1".parse().unwrap(), "203.0.113.2".parse().unwrap());
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        for _ in 0..3 {
            assert_eq!(limiter.take(a, t0), Ok(()));
        }
        assert_eq!(limiter.take(a, t0), Err(10), "one request every 10 s");
        assert_eq!(limiter.take(b, t0), Ok(()), "another client has its own bucket");
        assert_eq!(limiter.take(a, t0 + TimeDelta::seconds(9)), Err(1));
        assert_eq!(limiter.take(a, t0 + TimeDelta::seconds(10)), Ok(()));
    }
}
