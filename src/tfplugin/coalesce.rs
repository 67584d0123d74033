//! A connection wrapper that sends everything one scheduler pass produces in one write.
//!
//! go-plugin's gRPC client pings the connection with nearly every request (gRPC-Go's BDP
//! estimator). The HTTP/2 layer answers such a ping at once and flushes, and the response to the
//! request follows a moment later in a second write: two wake-ups of Terraform's reader, two TLS
//! records, two system calls per call. Here writes are buffered, and the first flush of a batch
//! is put off by one pass of the scheduler (the task wakes itself and yields), so the handlers
//! that became ready together run first and their frames leave in the same write. Nothing waits
//! on a timer, unlike Nagle's algorithm: the deferral ends as soon as the runtime has nothing
//! else ready.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Above this many buffered bytes a write drains the buffer first (backpressure).
const HIGH_WATER: usize = 256 * 1024;

pub struct Coalesced<IO> {
    io: IO,
    buf: Vec<u8>,
    /// How much of `buf` the connection has taken so far.
    written: usize,
    /// The current batch's flush was put off once already; the next one goes through.
    deferred: bool,
}

impl<IO> Coalesced<IO> {
    pub fn new(io: IO) -> Self {
        Coalesced {
            io,
            buf: Vec::new(),
            written: 0,
            deferred: false,
        }
    }
}

impl<IO: AsyncWrite + Unpin> Coalesced<IO> {
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.buf.len() {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &self.buf[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.buf.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Coalesced<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Coalesced<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_vectored(cx, &[io::IoSlice::new(data)])
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.buf.len() >= HIGH_WATER {
            ready!(self.poll_drain(cx))?;
        }
        let mut n = 0;
        for b in bufs {
            self.buf.extend_from_slice(b);
            n += b.len();
        }
        Poll::Ready(Ok(n))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if !self.buf.is_empty() && !self.deferred {
            // Let the tasks that are ready now (request handlers) add their frames first.
            self.deferred = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        ready!(self.poll_drain(cx))?;
        self.deferred = false;
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_drain(cx))?;
        ready!(Pin::new(&mut self.io).poll_flush(cx))?;
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use tokio::io::AsyncWriteExt;

    /// Records every write it receives as one entry.
    #[derive(Clone, Default)]
    struct Recorder(Arc<Mutex<Vec<Vec<u8>>>>);

    impl AsyncWrite for Recorder {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            data: &[u8],
        ) -> Poll<io::Result<usize>> {
            self.0.lock().unwrap().push(data.to_vec());
            Poll::Ready(Ok(data.len()))
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    type Outbox = Arc<Mutex<Vec<&'static [u8]>>>;

    /// Mirrors the HTTP/2 connection task: its first poll receives a request, answers a ping
    /// and spawns the request's handler; every poll moves queued frames into the connection,
    /// then flushes.
    async fn connection(mut conn: Coalesced<Recorder>, outbox: Outbox) {
        let mut handler_spawned = false;
        std::future::poll_fn(|cx| {
            if !handler_spawned {
                handler_spawned = true;
                outbox.lock().unwrap().push(b"pong;");
                let handler_outbox = outbox.clone();
                tokio::spawn(async move {
                    handler_outbox.lock().unwrap().push(b"response");
                });
            }
            for frame in outbox.lock().unwrap().drain(..) {
                let _ = Pin::new(&mut conn).poll_write(cx, frame);
            }
            Pin::new(&mut conn).poll_flush(cx)
        })
        .await
        .unwrap();
    }

    #[tokio::test(flavor = "current_thread")]
    async fn frames_made_ready_together_leave_in_one_write() {
        let rec = Recorder::default();
        let outbox = Outbox::default();
        tokio::spawn(connection(Coalesced::new(rec.clone()), outbox))
            .await
            .unwrap();
        assert_eq!(*rec.0.lock().unwrap(), vec![b"pong;response".to_vec()]);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_flush_completes_after_one_deferral() {
        let rec = Recorder::default();
        let mut conn = Coalesced::new(rec.clone());
        conn.write_all(b"abc").await.unwrap();
        assert!(rec.0.lock().unwrap().is_empty(), "buffered until flushed");
        conn.flush().await.unwrap();
        assert_eq!(*rec.0.lock().unwrap(), vec![b"abc".to_vec()]);
        // An empty flush passes straight through.
        conn.flush().await.unwrap();
        conn.shutdown().await.unwrap();
        assert_eq!(rec.0.lock().unwrap().len(), 1);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_large_backlog_drains_before_buffering_more() {
        let rec = Recorder::default();
        let mut conn = Coalesced::new(rec.clone());
        let chunk = vec![7u8; HIGH_WATER];
        conn.write_all(&chunk).await.unwrap();
        conn.write_all(b"x").await.unwrap();
        assert_eq!(rec.0.lock().unwrap().len(), 1, "the backlog went out first");
        conn.flush().await.unwrap();
        let writes = rec.0.lock().unwrap();
        assert_eq!(writes.iter().map(Vec::len).sum::<usize>(), HIGH_WATER + 1);
    }
}
