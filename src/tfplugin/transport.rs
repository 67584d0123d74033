//! gRPC over HTTP/2, served straight from the `h2` crate.
//!
//! Terraform makes several small calls per resource instance (validate, upgrade, read, plan) and
//! waits for each. A generic stack (hyper, tower layers, a router, a streaming codec) spends more
//! on every such call than the provider's own work, so the unary methods a provider registers
//! take a short path here: read the one message, decode, call, encode, answer. Every other
//! method (streams, health, controller, stdio) goes through tonic's generated services, which
//! run unchanged on top of this connection handling.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Buf as _, BufMut as _, Bytes, BytesMut};
use futures::StreamExt as _;
use h2::server::SendResponse;
use h2::RecvStream;
use http_body::{Body as _, Frame};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;
use tonic::codegen::Service as _;
use tonic::service::Routes;
use tonic::Status;

pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// One unary call: the request message's bytes in, a whole response frame out.
pub type UnaryCall = Box<dyn FnOnce(Bytes) -> BoxFuture<Result<Bytes, Status>> + Send>;

/// Methods served on the short path, by request path (e.g. `/pkg.Service/Method`).
pub trait UnaryRoutes: Send + Sync + 'static {
    fn route(&self, path: &str) -> Option<UnaryCall>;
}

/// How long open streams may keep a connection after shutdown was asked for.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(1);
/// Windows as large as hyper's defaults, so big plans and states need no window round trips.
const WINDOW: u32 = 1 << 20;

/// Serves connections from `incoming` until `shutdown` turns true, then lets open connections
/// finish (at most [`DRAIN_TIMEOUT`]).
pub async fn serve<IO, S>(
    mut incoming: S,
    unary: Arc<dyn UnaryRoutes>,
    routes: Routes,
    shutdown: watch::Receiver<bool>,
) -> std::io::Result<()>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: futures::Stream<Item = std::io::Result<IO>> + Unpin,
{
    let mut connections = tokio::task::JoinSet::new();
    let mut stop = shutdown.clone();
    loop {
        tokio::select! {
            next = incoming.next() => match next {
                Some(Ok(io)) => {
                    connections.spawn(serve_connection(
                        io,
                        unary.clone(),
                        routes.clone(),
                        shutdown.clone(),
                    ));
                }
                Some(Err(e)) => return Err(e),
                None => break,
            },
            _ = stop.wait_for(|s| *s) => break,
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(DRAIN_TIMEOUT, drained).await.is_err() {
        tracing::debug!("connections still open after shutdown; closing them");
    }
    Ok(())
}

async fn serve_connection<IO>(
    io: IO,
    unary: Arc<dyn UnaryRoutes>,
    routes: Routes,
    mut shutdown: watch::Receiver<bool>,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let handshake = h2::server::Builder::new()
        .initial_window_size(WINDOW)
        .initial_connection_window_size(WINDOW)
        .handshake::<_, Bytes>(io);
    let mut conn = match handshake.await {
        Ok(conn) => conn,
        Err(e) => {
            tracing::debug!(error = %e, "HTTP/2 handshake failed");
            return;
        }
    };
    let mut closing = false;
    loop {
        let next = tokio::select! {
            next = conn.accept() => next,
            _ = shutdown.wait_for(|s| *s), if !closing => {
                closing = true;
                conn.graceful_shutdown();
                continue;
            }
        };
        match next {
            Some(Ok((request, respond))) => {
                // Most calls finish without waiting: run them here, so their answers go out
                // with the connection's next write instead of after every other request of
                // the batch. A call that has to wait goes on as a task of its own.
                let mut call = Box::pin(handle(request, respond, unary.clone(), routes.clone()));
                let first = std::future::poll_fn(|cx| Poll::Ready(call.as_mut().poll(cx))).await;
                if first.is_pending() {
                    tokio::spawn(call);
                }
            }
            Some(Err(e)) => {
                if !e.is_go_away() && !e.is_io() {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            None => return,
        }
    }
}

async fn handle(
    request: http::Request<RecvStream>,
    respond: SendResponse<Bytes>,
    unary: Arc<dyn UnaryRoutes>,
    routes: Routes,
) {
    match unary.route(request.uri().path()) {
        Some(call) => handle_unary(request.into_body(), respond, call).await,
        None => handle_routed(request, respond, routes).await,
    }
}

async fn handle_unary(body: RecvStream, mut respond: SendResponse<Bytes>, call: UnaryCall) {
    let result = match read_single_message(body).await {
        Ok(message) => call(message).await,
        Err(status) => Err(status),
    };
    match result {
        Ok(frame) => {
            let head = http::Response::builder()
                .header(http::header::CONTENT_TYPE, "application/grpc")
                .body(())
                .expect("static response head");
            let Ok(mut send) = respond.send_response(head, false) else {
                return; // the client went away
            };
            let mut trailers = http::HeaderMap::new();
            trailers.insert("grpc-status", http::HeaderValue::from_static("0"));
            let _ = send
                .send_data(frame, false)
                .and_then(|()| send.send_trailers(trailers));
        }
        Err(status) => {
            // Trailers-only response: the status travels in the headers.
            let (head, ()) = status.into_http::<()>().into_parts();
            let _ = respond.send_response(http::Response::from_parts(head, ()), true);
        }
    }
}

/// The request body of a unary call: one uncompressed length-prefixed message.
async fn read_single_message(mut body: RecvStream) -> Result<Bytes, Status> {
    let mut buf = BytesMut::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk.map_err(|e| Status::cancelled(format!("request body: {e}")))?;
        let _ = body.flow_control().release_capacity(chunk.len());
        if buf.is_empty() {
            buf = BytesMut::from(chunk);
        } else {
            buf.extend_from_slice(&chunk);
        }
    }
    decode_single_frame(buf.freeze())
}

fn decode_single_frame(mut buf: Bytes) -> Result<Bytes, Status> {
    if buf.len() < 5 {
        return Err(Status::internal("request has no complete gRPC message"));
    }
    let compressed = buf.get_u8();
    let len = buf.get_u32() as usize;
    if compressed != 0 {
        return Err(Status::unimplemented(
            "compressed messages are not supported; send them uncompressed",
        ));
    }
    if buf.len() != len {
        return Err(Status::internal(format!(
            "request holds {} bytes after the header, the header says {len}: a unary call takes exactly one message",
            buf.len()
        )));
    }
    Ok(buf)
}

/// A whole response frame for `message`: flag byte, big-endian length, bytes.
pub fn encode_message<M: prost::Message>(message: &M) -> Bytes {
    let len = message.encoded_len();
    let mut buf = BytesMut::with_capacity(5 + len);
    buf.put_u8(0);
    buf.put_u32(u32::try_from(len).unwrap_or(u32::MAX));
    message
        .encode(&mut buf)
        .expect("the buffer holds the encoded length");
    buf.freeze()
}

/// Any other method: tonic's services, fed from and answering into this connection.
async fn handle_routed(
    request: http::Request<RecvStream>,
    mut respond: SendResponse<Bytes>,
    mut routes: Routes,
) {
    let request = request.map(RequestBody);
    if std::future::poll_fn(|cx| {
        tonic::codegen::Service::<http::Request<RequestBody>>::poll_ready(&mut routes, cx)
    })
    .await
    .is_err()
    {
        return;
    }
    let response = match routes.call(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let (head, mut body) = response.into_parts();
    let end = body.is_end_stream();
    let Ok(mut send) = respond.send_response(http::Response::from_parts(head, ()), end) else {
        return;
    };
    if end {
        return;
    }
    loop {
        // Stop when the client resets the stream (e.g. a watch it no longer wants).
        let next = std::future::poll_fn(|cx| {
            if send.poll_reset(cx).is_ready() {
                return Poll::Ready(None);
            }
            Pin::new(&mut body).poll_frame(cx).map(Some)
        })
        .await;
        let sent = match next {
            None => return,
            Some(None) => {
                let _ = send.send_data(Bytes::new(), true);
                return;
            }
            Some(Some(Ok(frame))) => match frame.into_data() {
                Ok(data) => send.send_data(data, false),
                Err(frame) => {
                    if let Ok(trailers) = frame.into_trailers() {
                        let _ = send.send_trailers(trailers);
                        return;
                    }
                    Ok(())
                }
            },
            Some(Some(Err(status))) => {
                let (head, ()) = status.into_http::<()>().into_parts();
                let _ = send.send_trailers(head.headers);
                return;
            }
        };
        if sent.is_err() {
            return;
        }
    }
}

/// An HTTP/2 request body as an `http_body::Body`, returning flow-control capacity as data is
/// read.
struct RequestBody(RecvStream);

impl http_body::Body for RequestBody {
    type Data = Bytes;
    type Error = h2::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, h2::Error>>> {
        match self.0.poll_data(cx) {
            Poll::Ready(Some(Ok(data))) => {
                let _ = self.0.flow_control().release_capacity(data.len());
                return Poll::Ready(Some(Ok(Frame::data(data))));
            }
            Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
            Poll::Ready(None) => {}
            Poll::Pending => return Poll::Pending,
        }
        match self.0.poll_trailers(cx) {
            Poll::Ready(Ok(Some(trailers))) => Poll::Ready(Some(Ok(Frame::trailers(trailers)))),
            Poll::Ready(Ok(None)) => Poll::Ready(None),
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_end_stream()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfplugin::coalesce::Coalesced;
    use prost_types::Duration as Msg;

    /// `/test.Echo/Next` answers a message with its `seconds` plus one.
    struct Echo;

    impl UnaryRoutes for Echo {
        fn route(&self, path: &str) -> Option<UnaryCall> {
            if path != "/test.Echo/Next" {
                return None;
            }
            Some(Box::new(|body: Bytes| {
                Box::pin(async move {
                    let m: Msg = prost::Message::decode(body)
                        .map_err(|e| Status::invalid_argument(e.to_string()))?;
                    Ok(encode_message(&Msg {
                        seconds: m.seconds + 1,
                        nanos: 0,
                    }))
                })
            }))
        }
    }

    /// What came back: the gRPC status (from trailers, or from the headers of a trailers-only
    /// answer) and the response message, if any.
    async fn call(
        client: &mut h2::client::SendRequest<Bytes>,
        path: &str,
        body: Bytes,
    ) -> (String, Option<Msg>) {
        let request = http::Request::post(format!("http://localhost{path}"))
            .header("content-type", "application/grpc")
            .body(())
            .unwrap();
        let (response, mut send) = client.send_request(request, false).unwrap();
        send.send_data(body, true).unwrap();
        let response = response.await.unwrap();
        if let Some(status) = response.headers().get("grpc-status") {
            return (status.to_str().unwrap().to_string(), None);
        }
        let mut body = response.into_body();
        let mut data = BytesMut::new();
        while let Some(chunk) = body.data().await {
            let chunk = chunk.unwrap();
            let _ = body.flow_control().release_capacity(chunk.len());
            data.extend_from_slice(&chunk);
        }
        let trailers = body.trailers().await.unwrap().unwrap();
        let message = decode_single_frame(data.freeze()).unwrap();
        (
            trailers["grpc-status"].to_str().unwrap().to_string(),
            Some(prost::Message::decode(message).unwrap()),
        )
    }

    #[tokio::test(flavor = "current_thread")]
    async fn serves_unary_calls_failures_and_routed_calls_then_shuts_down() {
        let (client_io, server_io) = tokio::io::duplex(1 << 16);
        let (stop, stopped) = watch::channel(false);
        let server = tokio::spawn(serve_connection(
            Coalesced::new(server_io),
            Arc::new(Echo),
            Routes::default(),
            stopped,
        ));
        let (mut client, connection) = h2::client::handshake(client_io).await.unwrap();
        let connection = tokio::spawn(connection);

        let ok = call(
            &mut client,
            "/test.Echo/Next",
            encode_message(&Msg {
                seconds: 41,
                nanos: 0,
            }),
        )
        .await;
        assert_eq!(ok.0, "0");
        assert_eq!(ok.1.unwrap().seconds, 42);

        // A frame whose payload is not the message: INVALID_ARGUMENT, in a trailers-only answer.
        let garbage = Bytes::from_static(b"\0\0\0\0\x02\xff\xff");
        assert_eq!(call(&mut client, "/test.Echo/Next", garbage).await.0, "3");
        // Compressed frames are refused: UNIMPLEMENTED.
        let compressed = Bytes::from_static(b"\x01\0\0\0\0");
        assert_eq!(
            call(&mut client, "/test.Echo/Next", compressed).await.0,
            "12"
        );
        // Other paths go to the routed services; none is registered here: UNIMPLEMENTED.
        let other = encode_message(&Msg::default());
        assert_eq!(call(&mut client, "/test.Other/Call", other).await.0, "12");

        stop.send(true).unwrap();
        drop(client);
        tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .expect("the connection ends after shutdown")
            .unwrap();
        let _ = connection.await;
    }

    #[tokio::test(flavor = "current_thread")]
    async fn serve_stops_accepting_on_shutdown() {
        let (stop, stopped) = watch::channel(false);
        let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<tokio::io::DuplexStream>>(1);
        let served = tokio::spawn(serve(
            tokio_stream::wrappers::ReceiverStream::new(rx),
            Arc::new(Echo),
            Routes::default(),
            stopped,
        ));
        stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(5), served)
            .await
            .expect("serve returns after shutdown")
            .unwrap()
            .unwrap();
        drop(tx);
    }

    #[test]
    fn frames_round_trip_and_malformed_frames_are_refused() {
        let msg = prost_types::Duration {
            seconds: 5,
            nanos: 7,
        };
        let frame = encode_message(&msg);
        assert_eq!(frame[0], 0);
        assert_eq!(
            u32::from_be_bytes([frame[1], frame[2], frame[3], frame[4]]) as usize,
            frame.len() - 5
        );
        let body = decode_single_frame(frame.clone()).unwrap();
        let back: prost_types::Duration = prost::Message::decode(body).unwrap();
        assert_eq!(back, msg);

        assert!(decode_single_frame(Bytes::from_static(b"\0\0")).is_err());
        let mut compressed = frame.to_vec();
        compressed[0] = 1;
        let err = decode_single_frame(compressed.into()).unwrap_err();
        assert_eq!(err.code(), tonic::Code::Unimplemented);
        let mut two = frame.to_vec();
        two.extend_from_slice(&frame);
        assert!(decode_single_frame(two.into()).is_err());
        let short = frame.slice(..frame.len() - 1);
        assert!(decode_single_frame(short).is_err());
    }
}
