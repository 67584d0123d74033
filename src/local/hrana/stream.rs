//! Streams across HTTP requests: each answer hands out a new baton (random, single use) for the
//! stream's next request; a stream idle for longer than [`IDLE`] is dropped, and with it its
//! connection (an open transaction rolls back).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::exec::Session;
use crate::local::ids;

/// How long a stream waits for its next request.
pub const IDLE: Duration = Duration::from_secs(30);

/// Most streams open at once.
pub const MAX_STREAMS: usize = 256;

/// A stream between two requests.
pub struct Stream {
    pub database_id: String,
    pub session: Session,
    last_used: Instant,
}

impl Stream {
    pub fn new(database_id: String, session: Session) -> Stream {
        Stream {
            database_id,
            session,
            last_used: Instant::now(),
        }
    }
}

/// The streams waiting for their next request, by baton.
pub struct Streams {
    waiting: Mutex<HashMap<String, Stream>>,
    idle: Duration,
}

impl Default for Streams {
    fn default() -> Self {
        Streams::with_idle(IDLE)
    }
}

impl Streams {
    /// Streams dropped after `idle` without a request.
    pub fn with_idle(idle: Duration) -> Streams {
        Streams {
            waiting: Mutex::new(HashMap::new()),
            idle,
        }
    }

    /// The stream of `baton`, taken out until [`Streams::park`] puts it back: a baton is used
    /// once. `None` for an unknown, used or expired baton.
    pub fn take(&self, baton: &str) -> Option<Stream> {
        let mut waiting = self.lock();
        self.sweep(&mut waiting);
        waiting.remove(baton)
    }

    /// Keep `stream` for its next request; its baton. Always kept: its pipeline has already
    /// answered (an open transaction among it), so closing it here would lose work reported
    /// as done. The cap applies when a stream opens ([`Streams::has_room`]), so at most the
    /// requests in flight go past it.
    pub fn park(&self, mut stream: Stream) -> String {
        let mut waiting = self.lock();
        self.sweep(&mut waiting);
        stream.last_used = Instant::now();
        let baton = hex::encode(ids::random_bytes(24));
        waiting.insert(baton.clone(), stream);
        baton
    }

    /// Whether another stream may open.
    pub fn has_room(&self) -> bool {
        let mut waiting = self.lock();
        self.sweep(&mut waiting);
        waiting.len() < MAX_STREAMS
    }

    fn sweep(&self, waiting: &mut HashMap<String, Stream>) {
        waiting.retain(|_, s| s.last_used.elapsed() < self.idle);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Stream>> {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream() -> Stream {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        Stream::new("db_0123456789abcdef".into(), Session::new(conn))
    }

    #[test]
    fn batons_are_single_use_and_idle_streams_expire() {
        let streams = Streams::with_idle(Duration::from_millis(100));
        let baton = streams.park(stream());
        assert_eq!(baton.len(), 48);
        let s = streams
            .take(&baton)
            .expect("a fresh baton finds its stream");
        assert!(streams.take(&baton).is_none(), "a baton is used once");
        let next = streams.park(s);
        assert_ne!(next, baton);
        std::thread::sleep(Duration::from_millis(150));
        assert!(streams.take(&next).is_none(), "an idle stream expires");
        assert!(streams.take("forged").is_none());
    }

    #[test]
    fn streams_are_bounded() {
        let streams = Streams::default();
        assert!(streams.has_room());
        for _ in 0..MAX_STREAMS {
            streams.park(stream());
        }
        assert!(!streams.has_room(), "no new stream opens");
        // A stream whose pipeline already answered is still kept.
        let baton = streams.park(stream());
        assert!(streams.take(&baton).is_some());
    }
}
