//! A small HTTP/1.1 load generator for the benchmarks: keep-alive connections to a server on
//! loopback, either closed loop (each connection sends its next request when the last answer
//! is in: the highest rate the server sustains) or open loop at a fixed arrival rate (each
//! request has its scheduled time, and its latency counts from then, so a slow answer delays
//! the requests behind it in the figures too — wrk2's correction for coordinated omission).
//! It stops by itself after the given duration and refuses any address but loopback.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// One kind of request the generator sends.
#[derive(Debug, Clone)]
pub struct Target {
    pub path: String,
    /// A `Cookie` header (a logged-in visitor), if any.
    pub cookie: Option<String>,
}

impl Target {
    pub fn anonymous(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            cookie: None,
        }
    }

    pub fn with_cookie(path: impl Into<String>, cookie: &str) -> Self {
        Self {
            path: path.into(),
            cookie: Some(cookie.to_owned()),
        }
    }
}

/// How requests are paced.
#[derive(Debug, Clone, Copy)]
pub enum Pace {
    /// Each connection sends as soon as its last answer is in.
    ClosedLoop,
    /// This many requests per second in all, spread evenly over the connections.
    Rate(f64),
}

/// What a run measured.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub requests: u64,
    /// Answers that were not 2xx, or failed.
    pub errors: u64,
    pub elapsed: Duration,
    /// Latencies in microseconds, sorted.
    pub latencies_us: Vec<u32>,
}

impl Outcome {
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The `p`-th percentile latency in milliseconds (p in 0..=100, nearest rank).
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * self.latencies_us.len() as f64).ceil() as usize;
        let i = rank.clamp(1, self.latencies_us.len()) - 1;
        f64::from(self.latencies_us[i]) / 1000.0
    }
}

/// Sends requests for `targets` (taken in turn) to `addr` over `connections` connections for
/// `duration`, paced as `pace` says. A connection the server closes is opened again.
pub async fn run(
    addr: SocketAddr,
    targets: &[Target],
    connections: usize,
    duration: Duration,
    pace: Pace,
) -> anyhow::Result<Outcome> {
    if !addr.ip().is_loopback() {
        bail!("the load generator only targets loopback, not {addr}");
    }
    if targets.is_empty() || connections == 0 {
        bail!("nothing to send");
    }
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::with_capacity(connections);
    for c in 0..connections {
        let targets = targets.to_vec();
        // Each connection's share of the rate, offset so they do not all send at once.
        let interval = match pace {
            Pace::ClosedLoop => None,
            Pace::Rate(r) => Some(Duration::from_secs_f64(connections as f64 / r.max(1e-3))),
        };
        let offset = interval.map(|i| i.mul_f64(c as f64 / connections as f64));
        tasks.push(tokio::spawn(async move {
            connection(addr, targets, c, start, deadline, interval, offset).await
        }));
    }
    let mut outcome = Outcome {
        requests: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies_us: Vec::new(),
    };
    for t in tasks {
        let part = t.await.context("a load connection panicked")??;
        outcome.requests += part.requests;
        outcome.errors += part.errors;
        outcome.latencies_us.extend(part.latencies_us);
    }
    outcome.elapsed = start.elapsed().min(duration.max(Duration::from_millis(1)));
    outcome.latencies_us.sort_unstable();
    Ok(outcome)
}

type Sender = http1::SendRequest<Empty<Bytes>>;

async fn open(addr: SocketAddr) -> anyhow::Result<Sender> {
    let stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_nodelay(true)?;
    let (sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        // Ends when the server closes the connection; the next request opens a new one.
        let _ = conn.await;
    });
    Ok(sender)
}

async fn connection(
    addr: SocketAddr,
    targets: Vec<Target>,
    first: usize,
    start: Instant,
    deadline: Instant,
    interval: Option<Duration>,
    offset: Option<Duration>,
) -> anyhow::Result<Outcome> {
    let mut sender = open(addr).await?;
    let mut out = Outcome {
        requests: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies_us: Vec::new(),
    };
    let mut next = start + offset.unwrap_or_default();
    let mut i = first;
    loop {
        let scheduled = match interval {
            Some(step) => {
                if next >= deadline {
                    break;
                }
                tokio::time::sleep_until(next.into()).await;
                let s = next;
                next += step;
                s
            }
            None => {
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                now
            }
        };
        let target = &targets[i % targets.len()];
        i += 1;
        if sender.ready().await.is_err() {
            sender = open(addr).await?;
        }
        let mut req = Request::get(target.path.as_str()).header("host", addr.to_string());
        if let Some(cookie) = &target.cookie {
            req = req.header("cookie", cookie.as_str());
        }
        let ok = match sender.send_request(req.body(Empty::<Bytes>::new())?).await {
            Ok(resp) => {
                let status = resp.status();
                // The whole body is read, as a browser would.
                let body = resp.into_body().collect().await;
                status.is_success() && body.is_ok()
            }
            Err(_) => false,
        };
        let took = scheduled.elapsed();
        out.requests += 1;
        if !ok {
            out.errors += 1;
        }
        out.latencies_us
            .push(u32::try_from(took.as_micros()).unwrap_or(u32::MAX));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let o = Outcome {
            requests: 4,
            errors: 0,
            elapsed: Duration::from_secs(1),
            latencies_us: vec![1000, 2000, 3000, 4000],
        };
        assert_eq!(o.percentile_ms(50.0), 2.0);
        assert_eq!(o.percentile_ms(99.0), 4.0);
        assert_eq!(o.percentile_ms(0.0), 1.0);
        assert_eq!(o.rate(), 4.0);
    }

    #[tokio::test]
    async fn refuses_anything_but_loopback() {
        let addr: SocketAddr = "192.0.2.1:80".parse().expect("address");
        let err = run(
            addr,
            &[Target::anonymous("/")],
            1,
            Duration::from_millis(10),
            Pace::ClosedLoop,
        )
        .await
        .expect_err("not loopback");
        assert!(err.to_string().contains("loopback"));
    }
}
