//! Network peers written by hand on raw TCP (tokio), for what wiremock cannot do: a gateway
//! whose bodies never end or arrive one byte at a time, a proxy that records every byte it
//! receives (and can tunnel `CONNECT` to a local server), and an HTTPS gateway whose CA exists
//! only in a temporary file (rcgen mints the CA and the server certificate at test time,
//! tokio-rustls serves them). Also: running the binary with a cap on its address space, so a
//! client that buffers without limit dies instead of eating the machine.
//!
//! Every peer listens on 127.0.0.1 only, answers only what the test asked for, and stops (with
//! every connection it holds) when dropped.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::rustls;

use crate::support::{run_with, Output, Stdin};

/// The address-space cap of [`limit_memory`]: far above what a bounded client needs, far below
/// what an unbounded one reaches on an endless body.
pub const ADDRESS_SPACE: u64 = 1 << 30;

/// What the hostile gateway answers to one request.
#[derive(Clone, Debug)]
pub enum Answer {
    /// 200, then a body that never ends (`chunk` over and over, as fast as the client reads).
    Endless {
        content_type: &'static str,
        chunk: String,
    },
    /// 200, then one byte of body every 200 ms, forever.
    Drip,
    /// 200 announcing a `content-length` of this many bytes, then silence.
    Claims { content_length: u64 },
    /// A complete answer with a `content-length`.
    Full {
        status: u16,
        content_type: &'static str,
        body: String,
    },
}

impl Answer {
    /// An endless JSON body: `{"data": [` then one model after another.
    pub fn endless_json() -> Self {
        Answer::Endless {
            content_type: "application/json",
            chunk: r#"{"id":"openai/gpt-5.3-codex","name":"again and again"},"#.repeat(1024),
        }
    }

    /// An endless `text/event-stream`: text deltas of 4 KiB, and never `response.completed`.
    pub fn endless_events() -> Self {
        let delta = "more ".repeat(820);
        let event = format!(r#"data: {{"type":"response.output_text.delta","delta":"{delta}"}}"#);
        Answer::Endless {
            content_type: "text/event-stream",
            chunk: format!("{event}\n\n").repeat(16),
        }
    }

    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Answer::Full {
            status,
            content_type: "application/json",
            body: body.into(),
        }
    }
}

/// One request as a peer read it.
#[derive(Clone, Debug)]
pub struct Head {
    pub method: String,
    /// The request target: a path for a gateway, an absolute URL or `host:port` for a proxy.
    pub target: String,
    /// The whole head, as text.
    pub text: String,
}

/// A peer listening on 127.0.0.1, with every byte it received.
pub struct Peer {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<u8>>>,
    task: JoinHandle<()>,
}

impl Peer {
    /// `http://ADDR/api/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/api/v1", self.addr)
    }

    /// `https://ADDR/api/v1`.
    pub fn https_url(&self) -> String {
        format!("https://{}/api/v1", self.addr)
    }

    /// `http://ADDR`, as a proxy variable holds it.
    pub fn proxy_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Everything received so far, on every connection (lossy text).
    pub fn received(&self) -> String {
        String::from_utf8_lossy(&self.received.lock().unwrap()).into_owned()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        // The accept loop owns the connections' JoinSet: aborting it ends them all.
        self.task.abort();
    }
}

async fn listen() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

/// Accepts connections forever, each served by `serve` in a task of the peer's own.
fn accept_loop<F, Fut>(listener: TcpListener, serve: F) -> JoinHandle<()>
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        let mut connections = JoinSet::new();
        while let Ok((socket, _)) = listener.accept().await {
            connections.spawn(serve(socket));
            while connections.try_join_next().is_some() {}
        }
    })
}

/// Reads one request head (and the body its `content-length` announces); `None` when the
/// connection closed first.
async fn read_request<S: AsyncRead + Unpin>(stream: &mut S, log: &Mutex<Vec<u8>>) -> Option<Head> {
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = find(&request, b"\r\n\r\n") {
            let text = String::from_utf8_lossy(&request[..end]).into_owned();
            let length: usize = text
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .unwrap_or(0);
            if request.len() >= end + 4 + length {
                let mut words = text.split_whitespace();
                return Some(Head {
                    method: words.next().unwrap_or_default().to_string(),
                    target: words.next().unwrap_or_default().to_string(),
                    text,
                });
            }
        }
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        log.lock().unwrap().extend_from_slice(&buf[..n]);
        request.extend_from_slice(&buf[..n]);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Serves requests on one connection until it closes or an answer never ends.
async fn serve_http<S, R>(mut stream: S, route: Arc<R>, log: Arc<Mutex<Vec<u8>>>)
where
    S: AsyncRead + AsyncWrite + Unpin,
    R: Fn(&Head) -> Answer + Send + Sync + 'static,
{
    while let Some(head) = read_request(&mut stream, &log).await {
        match route(&head) {
            Answer::Full {
                status,
                content_type,
                body,
            } => {
                let answer = format!(
                    "HTTP/1.1 {status} Whatever\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                if stream.write_all(answer.as_bytes()).await.is_err() {
                    return;
                }
            }
            Answer::Endless {
                content_type,
                chunk,
            } => {
                // No length, no chunking: the body lasts as long as the connection.
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\nconnection: close\r\n\r\n"
                );
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let start: &[u8] = if content_type == "application/json" {
                    b"{\"data\": ["
                } else {
                    b""
                };
                let _ = stream.write_all(start).await;
                while stream.write_all(chunk.as_bytes()).await.is_ok() {}
                return;
            }
            Answer::Claims { content_length } => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {content_length}\r\n\r\n"
                );
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                // Hold the connection until the client leaves.
                let _ = stream.read(&mut [0u8; 1]).await;
                return;
            }
            Answer::Drip => {
                let head =
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                loop {
                    let _ = stream.flush().await;
                    // The drip: one byte every 200 ms, a body that never ends but never stalls.
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    if stream.write_all(b" ").await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// A plain-HTTP gateway on 127.0.0.1 answering every request with `route(head)`.
pub async fn gateway(route: impl Fn(&Head) -> Answer + Send + Sync + 'static) -> Peer {
    let (listener, addr) = listen().await;
    let received = Arc::new(Mutex::new(Vec::new()));
    let route = Arc::new(route);
    let log = received.clone();
    let task = accept_loop(listener, move |socket| {
        serve_http(socket, route.clone(), log.clone())
    });
    Peer {
        addr,
        received,
        task,
    }
}

/// A gateway answering every request with the same `answer`.
pub async fn gateway_answering(answer: Answer) -> Peer {
    gateway(move |_| answer.clone()).await
}

// ----- a recording proxy -----------------------------------------------------------------------

/// A proxy on 127.0.0.1 that records every byte it receives. A `CONNECT` is tunnelled to
/// `tunnel_to` when given (whatever host it names), and refused with 502 otherwise; any other
/// request (a plain-HTTP request through the proxy, which would carry the key in clear) is
/// answered 502 without being forwarded.
pub async fn recording_proxy(tunnel_to: Option<SocketAddr>) -> Peer {
    let (listener, addr) = listen().await;
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = received.clone();
    let task = accept_loop(listener, move |mut client| {
        let log = log.clone();
        async move {
            let Some(head) = read_request(&mut client, &log).await else {
                return;
            };
            let upstream = match (head.method.as_str(), tunnel_to) {
                ("CONNECT", Some(to)) => TcpStream::connect(to).await.ok(),
                _ => None,
            };
            let Some(upstream) = upstream else {
                let _ = client
                    .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await;
                return;
            };
            if client
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .await
                .is_err()
            {
                return;
            }
            let (mut from_client, mut to_client) = client.into_split();
            let (mut from_upstream, mut to_upstream) = upstream.into_split();
            let up = async {
                let mut buf = [0u8; 8192];
                while let Ok(n) = from_client.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    log.lock().unwrap().extend_from_slice(&buf[..n]);
                    if to_upstream.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                let _ = to_upstream.shutdown().await;
            };
            let down = async {
                let _ = tokio::io::copy(&mut from_upstream, &mut to_client).await;
                let _ = to_client.shutdown().await;
            };
            tokio::join!(up, down);
        }
    });
    Peer {
        addr,
        received,
        task,
    }
}

// ----- a CA of our own and an HTTPS gateway ----------------------------------------------------

/// A CA minted for one test, and a server certificate it signed.
pub struct TestPki {
    /// The CA certificate, PEM: trusted only where a test puts it.
    pub ca_pem: String,
    server: Arc<rustls::ServerConfig>,
}

impl TestPki {
    /// A CA and a certificate for `names` (DNS names or IP addresses) signed by it.
    pub fn new(names: &[&str]) -> Self {
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "mg-codex test CA");
        ca_params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::from_params(&ca_params, &ca_key);

        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = rcgen::CertificateParams::new(names).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "mg-codex test gateway");
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &issuer).unwrap();

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
            )
            .unwrap();
        Self {
            ca_pem: ca_cert.pem(),
            server: Arc::new(server),
        }
    }

    /// Writes the CA certificate to `dir/NAME` and returns the path.
    pub fn write_ca(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, &self.ca_pem).unwrap();
        path
    }
}

/// An HTTPS gateway on 127.0.0.1 with `pki`'s server certificate, answering every request
/// with `route(head)`. A client that does not trust the CA fails its handshake.
pub async fn tls_gateway(
    pki: &TestPki,
    route: impl Fn(&Head) -> Answer + Send + Sync + 'static,
) -> Peer {
    let (listener, addr) = listen().await;
    let received = Arc::new(Mutex::new(Vec::new()));
    let route = Arc::new(route);
    let log = received.clone();
    let acceptor = tokio_rustls::TlsAcceptor::from(pki.server.clone());
    let task = accept_loop(listener, move |socket| {
        let (acceptor, route, log) = (acceptor.clone(), route.clone(), log.clone());
        async move {
            if let Ok(stream) = acceptor.accept(socket).await {
                serve_http(stream, route, log).await;
            }
        }
    });
    Peer {
        addr,
        received,
        task,
    }
}

// ----- running the binary ----------------------------------------------------------------------

/// Caps the command's address space at `bytes` (`RLIMIT_AS`), so a client that buffers an
/// endless body fails its allocation and aborts instead of growing to gigabytes.
pub fn limit_memory(cmd: &mut Command, bytes: u64) {
    use std::os::unix::process::CommandExt;
    // SAFETY: between fork and exec only setrlimit(2), which is async-signal-safe, runs; no
    // memory is allocated and no lock is taken.
    unsafe {
        cmd.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: bytes as libc::rlim_t,
                rlim_max: bytes as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
}

/// Runs `cmd` off the async workers (the peers need them to keep serving), with `stdin`, and
/// returns its output and how long it took. A run longer than `kill_after` fails the test.
pub async fn run_timed(
    mut cmd: Command,
    stdin: Option<String>,
    kill_after: Duration,
) -> (Output, Duration) {
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let input = match &stdin {
            Some(text) => Stdin::Bytes(text.as_bytes()),
            None => Stdin::Null,
        };
        let out = run_with(&mut cmd, input, kill_after);
        (out, started.elapsed())
    })
    .await
    .expect("the command runs")
}

/// The output of a run, for assertion messages.
pub fn describe(out: &Output) -> String {
    format!(
        "exit code {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.code, out.stdout, out.stderr
    )
}
