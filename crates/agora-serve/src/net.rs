//! HTTP/1.1 on hyper and tokio, with every limit set where the bytes are read:
//!
//! - a request head is at most [`MAX_HEAD`] bytes (hyper's read buffer; a
//!   larger head gets 431 and the connection is closed) and must arrive
//!   within the timeout, which also ends an idle keep-alive connection
//!   (hyper's header read timeout runs whenever it waits for a head);
//! - a body is refused by its `Content-Length` before a byte of it is read
//!   if it announces more than [`MAX_BODY`], read through a limit otherwise,
//!   and answered 408 (connection closed) if it is not complete within the
//!   timeout;
//! - a write the client does not take within the timeout closes the
//!   connection ([`Stalled`]), so a client that never reads cannot pin an
//!   event stream;
//! - at most [`MAX_CONNECTIONS`] connections, [`MAX_REQUESTS`] requests
//!   being answered and [`MAX_STREAMS`] event streams at once;
//! - TCP_NODELAY on every connection (small responses go out at once
//!   instead of waiting for the client's delayed acknowledgement).
//!
//! Connections are tasks on two worker threads; the routes, which lock a
//! session and may simulate, run on tokio's blocking pool.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body::{Body, Frame, SizeHint};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{Semaphore, mpsc};

use crate::guard::{self, Head};
use crate::{KEEP_ALIVE, MAX_BODY, MAX_CONNECTIONS, MAX_HEAD, MAX_REQUESTS, MAX_STREAMS, Reply, Slot, State};
use agora_core::error::{Error, Result};

/// The page's content security policy: its own scripts, styles and
/// requests only, never inside a frame.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Serve `listener` until the process ends.
pub(crate) fn run(listener: std::net::TcpListener, state: Arc<State>) -> Result<()> {
    raise_open_files(MAX_CONNECTIONS + 256);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(MAX_REQUESTS + MAX_STREAMS + 8)
        .thread_name("serve")
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the server's threads", e))?;
    runtime.block_on(accept(listener, state))
}

/// Raise the soft limit on open files to `wanted` (at most the hard limit),
/// so that the connection cap, not the operating system, refuses connections.
fn raise_open_files(wanted: usize) {
    #[cfg(unix)]
    {
        let wanted = wanted as libc::rlim_t;
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit read and write the struct given, nothing else.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < wanted {
                limit.rlim_cur = wanted.min(limit.rlim_max);
                libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = wanted;
}

async fn accept(listener: std::net::TcpListener, state: Arc<State>) -> Result<()> {
    listener.set_nonblocking(true).map_err(|e| Error::io("listening", e))?;
    let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| Error::io("listening", e))?;
    let places = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let tcp = match listener.accept().await {
            Ok((tcp, _)) => tcp,
            // Out of file descriptors or a connection reset before it was
            // taken: not the server's end.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let Ok(place) = Arc::clone(&places).try_acquire_owned() else {
            drop(tcp);
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let timeout = state.options.timeout;
            let io = TokioIo::new(Stalled::new(tcp, timeout));
            let service = hyper::service::service_fn(move |request| {
                let state = Arc::clone(&state);
                async move { Ok::<_, Infallible>(answer(state, request).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(timeout)
                .max_buf_size(MAX_HEAD)
                .max_headers(64)
                .keep_alive(true)
                .serve_connection(io, service)
                .await;
            drop(place);
        });
    }
}

/// Check, read, route and answer one request.
async fn answer(state: Arc<State>, request: Request<Incoming>) -> Response<Out> {
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let target = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let chunked = headers.contains_key(header::TRANSFER_ENCODING);
    let authority = parts.uri.authority().map(|a| a.as_str());
    let host = text("host");
    // An absolute-form target names the server too: it must agree with Host.
    let host = match (authority, host) {
        (Some(a), Some(h)) if !a.eq_ignore_ascii_case(h) => Some(""),
        (Some(a), None) => Some(a),
        (_, h) => h,
    };
    let method = parts.method.as_str().to_string();
    let head = Head {
        method: &method,
        target: &target,
        host,
        origin: text("origin"),
        fetch_site: text("sec-fetch-site"),
        content_type: text("content-type"),
        token: text(guard::TOKEN_HEADER),
        cookie: text("cookie"),
        has_body: chunked || declared.is_some_and(|n| n > 0),
    };
    let pass = match state.access.check(&head) {
        Ok(pass) => pass,
        Err(reply) => return respond(reply, true, None),
    };
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        let reply = Reply::error(413, format!("a request body may have at most {MAX_BODY} bytes"));
        return respond(reply, true, None);
    }
    let read = tokio::time::timeout(state.options.timeout, Limited::new(body, MAX_BODY).collect()).await;
    let body = match read {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            let reply = Reply::error(413, format!("a request body may have at most {MAX_BODY} bytes"));
            return respond(reply, true, None);
        }
        Ok(Err(_)) => return respond(Reply::error(400, "could not read the request body"), true, None),
        Err(_) => {
            let reply = Reply::error(
                408,
                format!(
                    "the request body did not arrive within {} seconds",
                    state.options.timeout.as_secs_f64()
                ),
            );
            return respond(reply, true, None);
        }
    };
    if state.requests.fetch_add(1, Ordering::SeqCst) >= MAX_REQUESTS {
        state.requests.fetch_sub(1, Ordering::SeqCst);
        return respond(Reply::error(503, "the server is busy: try again"), true, None);
    }
    let routed = {
        let state = Arc::clone(&state);
        let method = method.clone();
        let target = target.clone();
        tokio::task::spawn_blocking(move || {
            let _counted = crate::Release(&state.requests);
            crate::route(&state, &method, &target, &body)
        })
        .await
    };
    let reply = routed.unwrap_or_else(|_| {
        let path = target.split('?').next().unwrap_or("");
        Reply::error(
            500,
            format!("internal error answering {method} {path}; the server goes on"),
        )
    });
    match reply {
        Reply::Events(slot) => {
            if state.streams.fetch_add(1, Ordering::SeqCst) >= MAX_STREAMS {
                state.streams.fetch_sub(1, Ordering::SeqCst);
                return respond(Reply::error(503, "too many open event streams"), false, None);
            }
            let (sender, receiver) = mpsc::channel(1);
            tokio::spawn(produce(state, slot, sender));
            let mut response = Response::new(Out::Events(receiver));
            let h = response.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
            secure(h, false);
            response
        }
        reply => {
            let page = pass.set_cookie && target.split('?').next() == Some("/");
            respond(reply, false, state.access.token().filter(|_| page))
        }
    }
}

/// The HTTP response of a [`Reply`] with a body; `close` ends the connection after it.
fn respond(reply: Reply, close: bool, cookie: Option<&str>) -> Response<Out> {
    let Reply::Body { status, kind, body } = reply else {
        unreachable!("event streams are answered by `answer`")
    };
    let mut response = Response::new(Out::Full(Some(Bytes::from(body))));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = response.headers_mut();
    let kind = HeaderValue::from_str(&format!("{kind}; charset=utf-8")).expect("an ASCII content type");
    h.insert(header::CONTENT_TYPE, kind);
    secure(h, kind_is_html(h));
    if close {
        h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    if let Some(token) = cookie {
        // Same-site strict: a page elsewhere cannot make the browser send it.
        let value = format!("{}={token}; Path=/; HttpOnly; SameSite=Strict", guard::COOKIE);
        if let Ok(value) = HeaderValue::from_str(&value) {
            h.insert(header::SET_COOKIE, value);
        }
    }
    response
}

fn kind_is_html(h: &HeaderMap) -> bool {
    h.get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
}

/// Headers on every answer: nothing cached, no type sniffing, no referrer
/// (a join URL carries the token), no framing; the page's CSP.
fn secure(h: &mut HeaderMap, page: bool) {
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    if page {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    }
}

/// Send `slot`'s states as server-sent events until the tab goes away.
async fn produce(state: Arc<State>, slot: Arc<Slot>, sender: mpsc::Sender<Bytes>) {
    struct Counted(Arc<State>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.streams.fetch_sub(1, Ordering::SeqCst);
        }
    }
    let _counted = Counted(state);
    let mut changed = slot.changed.subscribe();
    let mut seen = None;
    loop {
        changed.mark_unchanged();
        let (message, now_seen) = {
            let slot = Arc::clone(&slot);
            match tokio::task::spawn_blocking(move || {
                let mut seen = seen;
                let message = crate::next_event(&slot, &mut seen);
                (message, seen)
            })
            .await
            {
                Ok(done) => done,
                Err(_) => return,
            }
        };
        seen = now_seen;
        if let Some(json) = message
            && sender
                .send(Bytes::from(format!("event: state\ndata: {json}\n\n")))
                .await
                .is_err()
        {
            return;
        }
        loop {
            match tokio::time::timeout(KEEP_ALIVE, changed.changed()).await {
                Ok(Ok(())) => break,
                Ok(Err(_)) => return,
                Err(_) => {
                    slot.lock().used = std::time::Instant::now();
                    if sender.send(Bytes::from_static(b": keep-alive\n\n")).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// A response body: all at once, or events as they come.
pub(crate) enum Out {
    Full(Option<Bytes>),
    Events(mpsc::Receiver<Bytes>),
}

impl Body for Out {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            Out::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Out::Events(receiver) => receiver.poll_recv(cx).map(|b| b.map(|b| Ok(Frame::data(b)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Out::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Out::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            Out::Events(_) => SizeHint::default(),
        }
    }
}

/// A connection whose writes fail once the client has taken nothing for
/// `limit` (a full send buffer that does not drain).
struct Stalled<T> {
    inner: T,
    limit: Duration,
    since: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<T> Stalled<T> {
    fn new(inner: T, limit: Duration) -> Stalled<T> {
        Stalled {
            inner,
            limit,
            since: None,
        }
    }

    /// The result of a write that made progress, or a pending one checked against the limit.
    fn watch<R>(&mut self, cx: &mut Context<'_>, polled: Poll<io::Result<R>>) -> Poll<io::Result<R>> {
        match polled {
            Poll::Pending => {
                let limit = self.limit;
                let sleep = self.since.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the client took nothing within the timeout",
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
            ready => {
                self.since = None;
                ready
            }
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Stalled<T> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Stalled<T> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.watch(cx, polled)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.watch(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_flush(cx);
        this.watch(cx, polled)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
